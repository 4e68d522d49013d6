import type { LimiterResponse } from '@adonisjs/limiter'

/**
 * The RateLimit-* headers (IETF draft "RateLimit header fields for HTTP"):
 * the limit, what is left of it, and the seconds until the window resets.
 */
export function rateLimitHeaders(limit: LimiterResponse): Record<string, string> {
  return {
    'RateLimit-Limit': String(limit.limit),
    'RateLimit-Remaining': String(Math.max(0, limit.remaining)),
    'RateLimit-Reset': String(Math.max(1, limit.availableIn)),
  }
}
