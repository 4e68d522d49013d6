import { DomainException, type ApiError } from '#exceptions/api_error'

export type ReachedQuota = NonNullable<ApiError['quota']>

const PERIOD_NAMES = { day: 'Daily', month: 'Monthly' } as const

/**
 * A send that would take a tenant past a daily or monthly quota: nothing of
 * it was stored. The reply names the quota, says how many of the request's
 * messages would still fit, and asks to come back when the period resets.
 */
export class QuotaExceededException extends DomainException {
  static status = 429
  static code = 'E_QUOTA_EXCEEDED'

  constructor(
    readonly quota: ReachedQuota,
    readonly fits: number
  ) {
    const scope = quota.channel === 'all' ? 'all channels' : quota.channel
    const keys = quota.mode === 'test' ? ' (test keys)' : ''
    super(
      `${PERIOD_NAMES[quota.period]} quota for ${scope}${keys} reached: ${quota.used} of ${quota.limit} used, resets at ${quota.resetsAt}`
    )
  }

  toApiError(): ApiError {
    return { ...super.toApiError(), quota: this.quota, fits: this.fits }
  }

  /** Whole seconds until the quota resets, at least one. */
  headers() {
    const seconds = Math.ceil((Date.parse(this.quota.resetsAt) - Date.now()) / 1000)
    return { 'Retry-After': String(Math.max(1, seconds)) }
  }
}
