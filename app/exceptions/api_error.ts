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
}
