import { inWholeSeconds, parseRateLimit } from '#messaging/routing/rate_limit_spec'
import {
  QUOTA_KEYS,
  rateLimitSpec,
  type Quota,
  type QuotaKey,
  type TenantSettings,
} from '#messaging/tenants/tenant_settings'

export type TenantSettingName = keyof TenantSettings

/** One setting an operator changes; `value` undefined puts it back to its default. */
export interface TenantSettingChange {
  name: TenantSettingName
  value: TenantSettings[TenantSettingName] | undefined
}

/** An operator's value that is not a setting; its message says what to write instead. */
export class TenantSettingError extends Error {}

export const MAX_WEIGHT = 1000

/** The largest quota: usage counters are PostgreSQL integers. */
export const MAX_QUOTA = 2_147_483_647

/**
 * Reads an operator's text for one setting. `default` removes the override
 * (the environment's default applies); `none` is explicitly unlimited, or no
 * quota. Throws a TenantSettingError for anything else it cannot read.
 */
export function parseSettingChange(name: TenantSettingName, text: string): TenantSettingChange {
  const value = text.trim()
  if (value.toLowerCase() === 'default') return { name, value: undefined }
  switch (name) {
    case 'apiRateLimit':
      return { name, value: rateLimitValue(value, { wholeSeconds: true }) }
    case 'sendRateLimit':
      return { name, value: rateLimitValue(value, { wholeSeconds: false }) }
    case 'dailyQuota':
    case 'monthlyQuota':
      return { name, value: value.toLowerCase() === 'none' ? undefined : quotaValue(value) }
    case 'weight':
      return { name, value: weightValue(value) }
  }
}

/** The stored settings with these changes made. */
export function withChanges(stored: TenantSettings, changes: TenantSettingChange[]) {
  const next: Record<string, unknown> = { ...stored }
  for (const change of changes) {
    if (change.value === undefined) delete next[change.name]
    else next[change.name] = change.value
  }
  return next as TenantSettings
}

/**
 * The API limit counts whole seconds (@adonisjs/limiter's windows are whole
 * seconds; a window rounded down to 0 would never reset); the send limit,
 * counted by our own limiter, may take fractions.
 */
function rateLimitValue(value: string, options: { wholeSeconds: boolean }): string | null {
  if (value.toLowerCase() === 'none') return null
  const message = `"${value}" is not a rate limit: write count/seconds (e.g. 20/1), none or default`
  if (value === '') throw new TenantSettingError(message)
  let limit
  try {
    limit = parseRateLimit(value)!
  } catch {
    throw new TenantSettingError(message)
  }
  if (options.wholeSeconds && !inWholeSeconds(limit)) {
    throw new TenantSettingError(
      `"${value}": the API rate limit counts whole seconds (1 or more): write e.g. 10/1 rather than 5/0.5`
    )
  }
  return rateLimitSpec(limit)
}

/** `10` caps all channels together; `email=1000,sms=500,all=2000` caps each named one. */
function quotaValue(value: string): Quota {
  if (/^\d+$/.test(value)) return { all: count(value, value) }
  const quota: Quota = {}
  for (const entry of value.split(',')) {
    const [key, amount, ...rest] = entry.split('=').map((part) => part.trim())
    const quotaKey = key.toLowerCase() as QuotaKey
    if (rest.length > 0 || amount === undefined || !QUOTA_KEYS.includes(quotaKey)) {
      throw new TenantSettingError(
        `"${entry.trim()}" is not a quota: write a number (all channels together) or ` +
          `channel=number pairs separated by commas, channels ${QUOTA_KEYS.join(', ')} ` +
          `(e.g. email=1000,sms=500,all=2000), none or default`
      )
    }
    if (quotaKey in quota) throw new TenantSettingError(`The quota names ${quotaKey} twice`)
    quota[quotaKey] = count(amount, entry.trim())
  }
  return quota
}

function count(amount: string, entry: string) {
  if (!/^\d+$/.test(amount) || Number(amount) > MAX_QUOTA) {
    throw new TenantSettingError(
      `"${entry}": a quota is a whole number of messages from 0 to ${MAX_QUOTA}`
    )
  }
  return Number(amount)
}

function weightValue(value: string) {
  const weight = Number(value)
  if (!/^\d+$/.test(value) || weight < 1 || weight > MAX_WEIGHT) {
    throw new TenantSettingError(
      `"${value}" is not a weight: write a whole number from 1 to ${MAX_WEIGHT}, or default`
    )
  }
  return weight
}
