import { CHANNELS, type Channel } from '#enums/channel'
import {
  parseRateLimit,
  parseWholeSecondRateLimit,
  type RateLimit,
} from '#messaging/routing/rate_limit_spec'

/** A quota caps one channel, or `all` of them together. */
export const QUOTA_KEYS = ['all', ...CHANNELS] as const
export type QuotaKey = 'all' | Channel
export type Quota = Partial<Record<QuotaKey, number>>

/**
 * What `tenants.settings` holds: only what an operator set. An absent rate
 * limit follows the environment's default, `null` is explicitly unlimited;
 * an absent quota is no quota (quota periods are UTC days and UTC months).
 */
export interface TenantSettings {
  /** `count/seconds` */
  apiRateLimit?: string | null
  sendRateLimit?: string | null
  dailyQuota?: Quota
  monthlyQuota?: Quota
  /** A tenant's share when lanes serve tenants in turn */
  weight?: number
}

/** What applies to a tenant that set nothing (TENANT_API_RATE_LIMIT, TENANT_RATE_LIMIT). */
export interface TenantSettingDefaults {
  apiRateLimit: RateLimit | null
  sendRateLimit: RateLimit | null
}

/** The settings in force: stored values over the defaults. */
export interface EffectiveTenantSettings {
  /** null: no API request limit */
  apiRateLimit: RateLimit | null
  /** null: no send rate limit */
  sendRateLimit: RateLimit | null
  /** Empty: no daily quota */
  dailyQuota: Quota
  monthlyQuota: Quota
  weight: number
}

export const DEFAULT_WEIGHT = 1

/** The stored settings of a tenant row (its jsonb column), with only the known keys. */
export function storedSettings(raw: unknown): TenantSettings {
  const settings = (raw && typeof raw === 'object' ? raw : {}) as Record<string, unknown>
  const stored: TenantSettings = {}
  for (const name of ['apiRateLimit', 'sendRateLimit'] as const) {
    if (name in settings) stored[name] = (settings[name] as string | null) ?? null
  }
  for (const name of ['dailyQuota', 'monthlyQuota'] as const) {
    if (settings[name] && typeof settings[name] === 'object') stored[name] = settings[name] as Quota
  }
  if (typeof settings.weight === 'number') stored.weight = settings.weight
  return stored
}

/** The settings in force for a tenant whose row holds `raw`. */
export function effectiveSettings(
  raw: unknown,
  defaults: TenantSettingDefaults
): EffectiveTenantSettings {
  const stored = storedSettings(raw)
  return {
    apiRateLimit: apiRateLimitOf(stored, defaults),
    sendRateLimit: rateLimitOf(stored.sendRateLimit, defaults.sendRateLimit, parseRateLimit),
    dailyQuota: { ...stored.dailyQuota },
    monthlyQuota: { ...stored.monthlyQuota },
    weight: stored.weight ?? DEFAULT_WEIGHT,
  }
}

/**
 * The API limit in force for a tenant whose row holds `raw`: only this
 * setting is read, so another unreadable one does not stop the API. Throws
 * for a value that cannot be read, such as `5/0.5` written by SQL (the API
 * limiter counts whole seconds).
 */
export function apiRateLimitOf(raw: unknown, defaults: TenantSettingDefaults) {
  const spec = storedSettings(raw).apiRateLimit
  return rateLimitOf(spec, defaults.apiRateLimit, parseWholeSecondRateLimit)
}

function rateLimitOf(
  spec: string | null | undefined,
  fallback: RateLimit | null,
  parse: (spec: string) => RateLimit | null
) {
  if (spec === undefined) return fallback
  return spec === null ? null : parse(spec)
}

/** A rate limit written back as `count/seconds`. */
export function rateLimitSpec(limit: RateLimit | null): string {
  return limit ? `${limit.limit}/${limit.windowMs / 1000}` : 'none'
}
