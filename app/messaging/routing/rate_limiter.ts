import type { RedisConnection } from '@adonisjs/redis'
import type { Priority } from '#enums/priority'
import type { RateLimit } from '#messaging/routing/rate_limit_spec'
import { redisScript, type RedisScript } from '#messaging/routing/redis_script'

export type RateLimitScope = 'domain' | 'gateway' | 'tenant'

/** One budget a send must fit in. */
export interface RateLimitCheck extends RateLimit {
  scope: RateLimitScope
  key: string
}

export type RateLimitDecision =
  | { allowed: true }
  | { allowed: false; scope: RateLimitScope; key: string; retryAt: Date }

export interface RateLimitSettings {
  domains: Map<string, RateLimit>
  defaultDomain: RateLimit | null
  tenant: RateLimit | null
  bulkShare: number
  bulkPriorities: Priority[]
}

/** Minute buckets of admitted and deferred sends, read by comms:persist-counters */
export const RATE_LIMIT_STATS_PREFIX = 'ratelimit:stats:'
export const STATS_TTL_MS = 2 * 3600_000

/**
 * Sliding-window logs, one sorted set per budget, checked and taken in one
 * atomic script: either every budget has room and the send is counted in all
 * of them, or none is touched and the answer is when to come back. Deferred
 * sends get slots spaced at the budget's own pace from the moment the fullest
 * one frees up (a per-budget pointer to the next slot handed out), so a
 * backlog drains at the limit instead of all coming back at once.
 *
 * KEYS: the budgets' sorted sets, then the stats hash.
 * ARGV: member, then limit and window (ms) per budget, then the stats field per budget.
 */
const TAKE = `
local n = #KEYS - 1
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local blocked, freeAt = 0, 0
for i = 1, n do
  local limit, window = tonumber(ARGV[2 * i]), tonumber(ARGV[2 * i + 1])
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', now - window)
  local count = redis.call('ZCARD', KEYS[i])
  if count >= limit then
    local entry = redis.call('ZRANGE', KEYS[i], count - limit, count - limit, 'WITHSCORES')
    local at = tonumber(entry[2]) + window
    if at > freeAt then blocked, freeAt = i, at end
  end
end
local stats = KEYS[n + 1]
if blocked > 0 then
  local limit, window = tonumber(ARGV[2 * blocked]), tonumber(ARGV[2 * blocked + 1])
  local pointer = KEYS[blocked] .. ':next'
  local slot = math.max(tonumber(redis.call('GET', pointer) or 0), freeAt)
  local spacing = math.max(1, math.floor(window / limit))
  redis.call('SET', pointer, slot + spacing, 'PX', slot + spacing - now + window)
  redis.call('HINCRBY', stats, ARGV[2 * n + 1 + blocked] .. '|deferred', 1)
  redis.call('PEXPIRE', stats, ${STATS_TTL_MS})
  return { blocked, slot }
end
for i = 1, n do
  redis.call('ZADD', KEYS[i], now, ARGV[1] .. ':' .. now)
  redis.call('PEXPIRE', KEYS[i], tonumber(ARGV[2 * i + 1]))
  redis.call('HINCRBY', stats, ARGV[2 * n + 1 + i] .. '|count', 1)
end
redis.call('PEXPIRE', stats, ${STATS_TTL_MS})
return { 0, 0 }
`

/**
 * Rate limits shared by every worker process: per recipient domain, per
 * gateway (its provider's TPS) and per tenant. A domain's bulk lanes (P2, P3)
 * may fill only their share of its budget, so transactional and urgent mail
 * to the same domain still finds room during a campaign.
 */
export class RateLimiter {
  #take: RedisScript

  constructor(
    redis: RedisConnection,
    private settings: RateLimitSettings,
    private random: () => number = Math.random
  ) {
    this.#take = redisScript(redis, 'switchboardRateLimitTake', TAKE)
  }

  /** The budgets a message shares with every other message, whatever gateway carries it. */
  messageBudgets(message: {
    tenant_id: string
    priority: Priority
    recipient_domain: string | null
  }): RateLimitCheck[] {
    const checks: RateLimitCheck[] = []
    if (message.recipient_domain) {
      const domain = message.recipient_domain.toLowerCase()
      const budget = this.settings.domains.get(domain) ?? this.settings.defaultDomain
      if (budget) {
        const bulk = this.settings.bulkPriorities.includes(message.priority)
        const limit = bulk
          ? Math.max(1, Math.floor(budget.limit * this.settings.bulkShare))
          : budget.limit
        checks.push({ scope: 'domain', key: domain, limit, windowMs: budget.windowMs })
      }
    }
    if (this.settings.tenant) {
      checks.push({ scope: 'tenant', key: message.tenant_id, ...this.settings.tenant })
    }
    return checks
  }

  /** A gateway's own budget: its provider config's `metadata.tps`, if set. */
  gatewayBudget(gatewayKey: string, tps: unknown): RateLimitCheck | null {
    if (typeof tps !== 'number' || !(tps > 0)) return null
    return {
      scope: 'gateway',
      key: gatewayKey,
      limit: Math.max(1, Math.floor(tps)),
      windowMs: 1000,
    }
  }

  /**
   * Take one send from every budget, or none. A refusal says which budget
   * was full and when to come back (its slot, plus a little jitter).
   */
  async take(member: string, checks: RateLimitCheck[]): Promise<RateLimitDecision> {
    if (checks.length === 0) return { allowed: true }
    const minute = Math.floor(Date.now() / 60_000) * 60_000
    const keys = [
      ...checks.map((check) => `ratelimit:${check.scope}:${check.key}`),
      `${RATE_LIMIT_STATS_PREFIX}${minute}`,
    ]
    const args: Array<string | number> = [member]
    for (const check of checks) args.push(check.limit, check.windowMs)
    for (const check of checks)
      args.push(`${check.scope}|${check.key}|${check.limit}|${check.windowMs}`)

    const [blocked, freeAt] = (await this.#take(keys, args)) as [number, number]
    if (blocked === 0) return { allowed: true }
    const check = checks[blocked - 1]
    const jitterMs = Math.floor(this.random() * Math.min(250, check.windowMs / check.limit))
    return {
      allowed: false,
      scope: check.scope,
      key: check.key,
      retryAt: new Date(freeAt + jitterMs),
    }
  }
}
