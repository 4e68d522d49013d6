import db from '@adonisjs/lucid/services/db'
import type { RedisConnection } from '@adonisjs/redis'
import { RATE_LIMIT_STATS_PREFIX, STATS_TTL_MS } from '#messaging/routing/rate_limiter'

/** One budget's admitted and deferred sends in one minute. */
export interface RateLimitCounter {
  scope: string
  key: string
  windowStart: Date
  /** The budget's limit, per minute */
  limitPerMinute: number
  count: number
  deferred: number
}

const MINUTE_MS = 60_000

/**
 * The rate limiter counts, per minute in Redis, what each budget let through
 * and what it deferred; this copies those minutes into `rate_limits`. A
 * minute is written with its totals so far, so running again (or every
 * minute while the minute is still open) only raises the figures, and a
 * Redis that lost its counters never lowers what was already persisted.
 */
export class RateLimitCounters {
  constructor(private redis: RedisConnection) {}

  /** Every minute Redis still holds, oldest first. */
  async read(now = Date.now()): Promise<RateLimitCounter[]> {
    const newest = Math.floor(now / MINUTE_MS) * MINUTE_MS
    const minutes = Array.from(
      { length: STATS_TTL_MS / MINUTE_MS },
      (_, index) => newest - (STATS_TTL_MS / MINUTE_MS - 1 - index) * MINUTE_MS
    )
    const pipeline = this.redis.pipeline()
    for (const minute of minutes) pipeline.hgetall(`${RATE_LIMIT_STATS_PREFIX}${minute}`)
    const replies = (await pipeline.exec()) ?? []

    const counters = new Map<string, RateLimitCounter>()
    replies.forEach(([error, fields], index) => {
      if (error) throw error
      for (const [field, value] of Object.entries(fields as Record<string, string>)) {
        const [scope, key, limit, windowMs, kind] = field.split('|')
        const id = `${minutes[index]}|${scope}|${key}`
        const counter = counters.get(id) ?? {
          scope,
          key,
          windowStart: new Date(minutes[index]),
          limitPerMinute: Math.round((Number(limit) * MINUTE_MS) / Number(windowMs)),
          count: 0,
          deferred: 0,
        }
        counter[kind === 'deferred' ? 'deferred' : 'count'] += Number(value)
        counters.set(id, counter)
      }
    })
    return [...counters.values()]
  }

  /** Upsert every counter Redis holds; returns them. */
  async persist(): Promise<RateLimitCounter[]> {
    const counters = await this.read()
    if (counters.length === 0) return counters
    await db
      .knexQuery()
      .table('rate_limits')
      .insert(
        counters.map((counter) => ({
          scope: counter.scope,
          key: counter.key,
          window_start: counter.windowStart,
          window_seconds: MINUTE_MS / 1000,
          limit: counter.limitPerMinute,
          count: counter.count,
          deferred: counter.deferred,
          updated_at: new Date(),
        }))
      )
      .onConflict(['scope', 'key', 'window_start', 'window_seconds'])
      .merge({
        limit: db.knexRawQuery('EXCLUDED."limit"'),
        count: db.knexRawQuery('GREATEST(rate_limits.count, EXCLUDED.count)'),
        deferred: db.knexRawQuery('GREATEST(rate_limits.deferred, EXCLUDED.deferred)'),
        updated_at: db.knexRawQuery('now()'),
      })
    return counters
  }
}
