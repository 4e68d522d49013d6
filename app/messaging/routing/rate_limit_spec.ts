/** A budget: at most `limit` sends in any `windowMs` (a sliding window). */
export interface RateLimit {
  limit: number
  windowMs: number
}

const SPEC = /^\s*(\d+)\s*\/\s*(\d+(?:\.\d+)?)\s*$/

/**
 * `none` (or nothing) is no limit. It is spelled out because an empty value
 * in a .env file does not override a value in the next one.
 */
function isNone(spec: string) {
  return ['', 'none'].includes(spec.trim().toLowerCase())
}

/**
 * Reads `count/seconds` (e.g. `6000/60`), or `none`. A malformed one throws,
 * so a typo in the environment stops the process at boot instead of silently
 * lifting a limit.
 */
export function parseRateLimit(spec: string): RateLimit | null {
  if (isNone(spec)) return null
  const match = SPEC.exec(spec)
  if (!match || Number(match[1]) < 1 || Number(match[2]) <= 0) {
    throw new Error(`"${spec}" is not a rate limit: write count/seconds, e.g. 6000/60`)
  }
  return { limit: Number(match[1]), windowMs: Math.round(Number(match[2]) * 1000) }
}

/**
 * A rate limit counted in whole seconds (the API limit: @adonisjs/limiter
 * counts its windows in whole seconds, and a window rounded down to 0 would
 * never reset).
 */
export function parseWholeSecondRateLimit(spec: string): RateLimit | null {
  const limit = parseRateLimit(spec)
  if (limit && !inWholeSeconds(limit)) {
    throw new Error(`"${spec}" is not a whole number of seconds: write e.g. 10/1 rather than 5/0.5`)
  }
  return limit
}

/** Whether a limit's window is a whole number of seconds (at least 1: parseRateLimit refuses 0). */
export function inWholeSeconds(limit: RateLimit) {
  return limit.windowMs % 1000 === 0
}

/** Reads `gmail.com=6000/60,yahoo.com=3000/60` (or `none`) into a map by lower-cased domain. */
export function parseDomainLimits(spec: string): Map<string, RateLimit> {
  const limits = new Map<string, RateLimit>()
  if (isNone(spec)) return limits
  for (const entry of spec.split(',')) {
    if (entry.trim() === '') continue
    const [domain, limit, ...rest] = entry.split('=')
    const parsed = rest.length === 0 && limit !== undefined ? parseRateLimit(limit) : null
    if (!domain.trim() || !parsed) {
      throw new Error(`"${entry}" is not a domain rate limit: write domain=count/seconds`)
    }
    limits.set(domain.trim().toLowerCase(), parsed)
  }
  return limits
}
