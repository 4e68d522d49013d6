/**
 * One entry of the API's error shape:
 * {"errors":[{"code":"E_VALIDATION","message":"…","field":"recipient"}]}
 */
export interface ApiError {
  code: string
  message: string
  field?: string
  rule?: string
  index?: number
  /** E_QUOTA_EXCEEDED: the quota that was reached */
  quota?: {
    period: 'day' | 'month'
    /** A channel, or `all` of them together */
    channel: string
    /** Whose counters: a test key's messages are counted apart from the live ones */
    mode: 'live' | 'test'
    limit: number
    used: number
    resetsAt: string
  }
  /** E_QUOTA_EXCEEDED: how many of the request's messages the quotas still have room for */
  fits?: number
}

/**
 * A domain error that maps to one HTTP status and one error code. Subclasses
 * set both as statics so the handler needs no knowledge of them.
 */
export class DomainException extends Error {
  static status = 400
  static code = 'E_BAD_REQUEST'

  get status() {
    return (this.constructor as typeof DomainException).status
  }

  get code() {
    return (this.constructor as typeof DomainException).code
  }

  /** The error's entry in the reply; a subclass adds the fields its code documents. */
  toApiError(): ApiError {
    return { code: this.code, message: this.message }
  }

  /** Headers the reply carries with it (a Retry-After, say). */
  headers(): Record<string, string> {
    return {}
  }
}
