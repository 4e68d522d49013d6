import type { RedisConnection } from '@adonisjs/redis'
import type { Priority } from '#enums/priority'
import type { RateLimit } from '#messaging/routing/rate_limit_spec'
import { redisScript, type RedisScript } from '#messaging/routing/redis_script'
import { TurnBatch } from '#messaging/turn_batch'

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
  /** A tenant's send budget: its own setting, else TENANT_RATE_LIMIT */
  tenant: (tenantId: string) => RateLimit | null
  bulkShare: number
  bulkPriorities: Priority[]
}

/** Minute buckets of admitted and deferred sends, read by comms:persist-counters */
export const RATE_LIMIT_STATS_PREFIX = 'ratelimit:stats:'
export const STATS_TTL_MS = 2 * 3600_000

/**
 * Sliding-window logs, one sorted set per budget. Each take is checked and
 * taken atomically: either every budget of the send has room and the send is
 * counted in all of them, or none is touched and the answer is when to come
 * back. Deferred sends get slots spaced at the budget's own pace from the
 * moment the fullest one frees up (a per-budget pointer to the next slot
 * handed out), so a backlog drains at the limit instead of all coming back at
 * once. One call carries the takes a worker made in one event-loop turn; they
 * are applied in order, as if made one after the other.
 *
 * KEYS: the budgets' sorted sets, then the stats hash.
 * ARGV: the number of takes, then per take its member and budget count, then
 * per budget the index of its key, its limit, its window (ms) and its stats field.
 * Returns per take: the blocking budget's position (0: taken) and its slot.
 */
const TAKE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local stats = KEYS[#KEYS]
local results = {}
local at = 2
for take = 1, tonumber(ARGV[1]) do
  local member, n = ARGV[at], tonumber(ARGV[at + 1])
  local keys, limits, windows, fields = {}, {}, {}, {}
  for i = 1, n do
    local base = at + 2 + 4 * (i - 1)
    keys[i] = KEYS[tonumber(ARGV[base])]
    limits[i], windows[i], fields[i] = tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2]), ARGV[base + 3]
  end
  at = at + 2 + 4 * n

  local blocked, freeAt = 0, 0
  for i = 1, n do
    redis.call('ZREMRANGEBYSCORE', keys[i], '-inf', now - windows[i])
    local count = redis.call('ZCARD', keys[i])
    if count >= limits[i] then
      local entry = redis.call('ZRANGE', keys[i], count - limits[i], count - limits[i], 'WITHSCORES')
      local free = tonumber(entry[2]) + windows[i]
      if free > freeAt then blocked, freeAt = i, free end
    end
  end
  if blocked > 0 then
    local pointer = keys[blocked] .. ':next'
    local slot = math.max(tonumber(redis.call('GET', pointer) or 0), freeAt)
    local spacing = math.max(1, math.floor(windows[blocked] / limits[blocked]))
    redis.call('SET', pointer, slot + spacing, 'PX', slot + spacing - now + windows[blocked])
    redis.call('HINCRBY', stats, fields[blocked] .. '|deferred', 1)
    results[2 * take - 1], results[2 * take] = blocked, slot
  else
    for i = 1, n do
      redis.call('ZADD', keys[i], now, member .. ':' .. now)
      redis.call('PEXPIRE', keys[i], windows[i])
      redis.call('HINCRBY', stats, fields[i] .. '|count', 1)
    end
    results[2 * take - 1], results[2 * take] = 0, 0
  end
end
redis.call('PEXPIRE', stats, ${STATS_TTL_MS})
return results
`

interface Take {
  member: string
  checks: RateLimitCheck[]
}

/**
 * Rate limits shared by every worker process: per recipient domain, per
 * gateway (its provider's TPS) and per tenant. A domain's bulk lanes (P2, P3)
 * may fill only their share of its budget, so transactional and urgent mail
 * to the same domain still finds room during a campaign.
 */
export class RateLimiter {
  #take: RedisScript
  #takes = new TurnBatch<Take, [number, number]>((takes) => this.#takeAll(takes))

  constructor(
    redis: RedisConnection,
    private settings: RateLimitSettings,
    private random: () => number = Math.random
  ) {
    this.#take = redisScript(redis, 'switchboardRateLimitTake', TAKE)
  }

  /**
   * The budgets a message shares with every other message, whatever gateway
   * carries it. A test message reaches no domain, so it takes only from its
   * tenant's own budget: one tenant's tests never hold another's live mail.
   */
  messageBudgets(message: {
    tenant_id: string
    priority: Priority
    recipient_domain: string | null
    is_test?: boolean
  }): RateLimitCheck[] {
    const checks: RateLimitCheck[] = []
    if (message.recipient_domain && !message.is_test) {
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
    const tenant = this.settings.tenant(message.tenant_id)
    if (tenant) {
      checks.push({ scope: 'tenant', key: message.tenant_id, ...tenant })
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
   * was full and when to come back (its slot, plus a little jitter). The
   * takes of one event-loop turn share one script call.
   */
  async take(member: string, checks: RateLimitCheck[]): Promise<RateLimitDecision> {
    if (checks.length === 0) return { allowed: true }
    const [blocked, freeAt] = await this.#takes.add({ member, checks })
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

  /** One script call for these takes: per take, [blocking budget's position or 0, its slot]. */
  async #takeAll(takes: Take[]): Promise<Array<[number, number]>> {
    const minute = Math.floor(Date.now() / 60_000) * 60_000
    const keyIndex = new Map<string, number>()
    const args: Array<string | number> = [takes.length]
    for (const { member, checks } of takes) {
      args.push(member, checks.length)
      for (const check of checks) {
        const key = `ratelimit:${check.scope}:${check.key}`
        const index = keyIndex.get(key) ?? keyIndex.size + 1
        keyIndex.set(key, index)
        args.push(
          index,
          check.limit,
          check.windowMs,
          `${check.scope}|${check.key}|${check.limit}|${check.windowMs}`
        )
      }
    }
    const keys = [...keyIndex.keys(), `${RATE_LIMIT_STATS_PREFIX}${minute}`]
    const flat = (await this.#take(keys, args)) as number[]
    return takes.map((_, index) => [flat[2 * index], flat[2 * index + 1]])
  }
}
