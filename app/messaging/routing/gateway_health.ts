import type { RedisConnection } from '@adonisjs/redis'
import { redisScript, type RedisScript } from '#messaging/routing/redis_script'

export type CircuitState = 'closed' | 'open' | 'half_open'

export interface HealthSettings {
  windowSeconds: number
  bucketSeconds: number
  failureThreshold: number
  errorRate: number
  minVolume: number
  cooldownSeconds: number
  slowLatencyMs: number
}

/** A gateway's health as its rolling window and circuit show it now. */
export interface GatewayHealthSnapshot {
  gatewayKey: string
  state: CircuitState
  /** 0..1: success rate in the window, lowered when the mean latency is slow */
  score: number
  successes: number
  failures: number
  avgLatencyMs: number | null
  consecutiveFailures: number
  openedAt: Date | null
  lastSuccessAt: Date | null
  lastFailureAt: Date | null
}

/** Whether a gateway may be tried now, and whether that try is the half-open probe. */
export type Admission = 'closed' | 'probe' | 'refused'

/** Keys of every gateway that reported an outcome, for comms:update-channel-health */
const KNOWN_GATEWAYS = 'health:gateways'

/**
 * Shared Lua prelude: the clock of Redis (one clock for every worker) and the
 * sum of the window's buckets. KEYS[1] is the gateway's state hash; buckets
 * are `<state hash>:b:<bucket start ms>`.
 */
const PRELUDE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local function window(bucketMs, windowMs)
  local ok, fail, latency = 0, 0, 0
  local last = now - (now % bucketMs)
  for start = last - windowMs + bucketMs, last, bucketMs do
    local values = redis.call('HMGET', KEYS[1] .. ':b:' .. start, 'ok', 'fail', 'latency')
    ok = ok + (tonumber(values[1]) or 0)
    fail = fail + (tonumber(values[2]) or 0)
    latency = latency + (tonumber(values[3]) or 0)
  end
  return ok, fail, latency
end
`

/**
 * ARGV: ok (1/0), latency ms (the sum, for several), bucket ms, window ms,
 * failure threshold, error rate, minimum volume, gateway key, how many sends
 * (successes may come several at once). Returns the circuit state after.
 */
const RECORD = `${PRELUDE}
local ok, bucketMs, windowMs = ARGV[1] == '1', tonumber(ARGV[3]), tonumber(ARGV[4])
local count = tonumber(ARGV[9])
local bucket = KEYS[1] .. ':b:' .. (now - (now % bucketMs))
redis.call('HINCRBY', bucket, ok and 'ok' or 'fail', count)
redis.call('HINCRBY', bucket, 'latency', tonumber(ARGV[2]))
redis.call('PEXPIRE', bucket, windowMs + bucketMs)
redis.call('SADD', KEYS[2], ARGV[8])
local state = redis.call('HGET', KEYS[1], 'state') or 'closed'
if ok then
  if state ~= 'closed' then
    -- Recovered: judge it afresh, not by the failures that opened the circuit
    local last = now - (now % bucketMs)
    for start = last - windowMs + bucketMs, last, bucketMs do
      redis.call('DEL', KEYS[1] .. ':b:' .. start)
    end
    redis.call('HINCRBY', bucket, 'ok', count)
    redis.call('HINCRBY', bucket, 'latency', tonumber(ARGV[2]))
    redis.call('PEXPIRE', bucket, windowMs + bucketMs)
  end
  redis.call('HSET', KEYS[1], 'state', 'closed', 'consecutive', 0, 'lastSuccessAt', now)
  redis.call('HDEL', KEYS[1], 'openedAt', 'probeUntil')
  return 'closed'
end
local consecutive = redis.call('HINCRBY', KEYS[1], 'consecutive', 1)
redis.call('HSET', KEYS[1], 'lastFailureAt', now)
local open = state == 'half_open' or consecutive >= tonumber(ARGV[5])
if not open and state == 'closed' then
  local successes, failures = window(bucketMs, windowMs)
  local total = successes + failures
  open = total >= tonumber(ARGV[7]) and failures / total >= tonumber(ARGV[6])
end
if open and state ~= 'open' then
  redis.call('HSET', KEYS[1], 'state', 'open', 'openedAt', now)
  redis.call('HDEL', KEYS[1], 'probeUntil')
  return 'open'
end
return state
`

/**
 * ARGV: cool-down ms, probe timeout ms. An open circuit past its cool-down
 * lets exactly one caller through as the half-open probe; a probe that never
 * reports back (its worker died) is replaced after the timeout.
 */
const ADMIT = `${PRELUDE}
local values = redis.call('HMGET', KEYS[1], 'state', 'openedAt', 'probeUntil')
local state = values[1] or 'closed'
if state == 'closed' then return 'closed' end
if state == 'open' and now < (tonumber(values[2]) or 0) + tonumber(ARGV[1]) then return 'refused' end
if state == 'half_open' and now < (tonumber(values[3]) or 0) then return 'refused' end
redis.call('HSET', KEYS[1], 'state', 'half_open', 'probeUntil', now + tonumber(ARGV[2]))
return 'probe'
`

/** ARGV: bucket ms, window ms. Returns the state hash fields and the window sums. */
const SNAPSHOT = `${PRELUDE}
local values = redis.call('HMGET', KEYS[1], 'state', 'consecutive', 'openedAt', 'lastSuccessAt', 'lastFailureAt')
local ok, fail, latency = window(tonumber(ARGV[1]), tonumber(ARGV[2]))
return { values[1] or 'closed', values[2] or '0', values[3] or '', values[4] or '', values[5] or '', ok, fail, latency }
`

/**
 * Per gateway, in Redis so every worker process sees the same: a rolling
 * window of outcomes and latency (the score) and a circuit breaker. The
 * circuit opens after `failureThreshold` failures in a row or when the error
 * rate in the window reaches `errorRate` over at least `minVolume` sends;
 * after the cool-down one probe goes through, and its success closes it and
 * starts the window afresh.
 */
export class GatewayHealth {
  #record: RedisScript
  #admit: RedisScript
  #snapshot: RedisScript

  constructor(
    private redis: RedisConnection,
    private settings: HealthSettings
  ) {
    this.#record = redisScript(redis, 'switchboardHealthRecord', RECORD)
    this.#admit = redisScript(redis, 'switchboardHealthAdmit', ADMIT)
    this.#snapshot = redisScript(redis, 'switchboardHealthSnapshot', SNAPSHOT)
  }

  /**
   * Record a send's outcome (or `count` successes at once, `latencyMs` their
   * total); returns the circuit state after it.
   */
  async record(gatewayKey: string, ok: boolean, latencyMs: number, count = 1) {
    const { bucketSeconds, windowSeconds, failureThreshold, errorRate, minVolume } = this.settings
    return (await this.#record(
      [this.#stateKey(gatewayKey), KNOWN_GATEWAYS],
      [
        ok ? 1 : 0,
        Math.max(0, Math.round(latencyMs)),
        bucketSeconds * 1000,
        windowSeconds * 1000,
        failureThreshold,
        errorRate,
        minVolume,
        gatewayKey,
        ok ? count : 1,
      ]
    )) as CircuitState
  }

  /** May this gateway be tried now? Only asked of circuits not known to be closed. */
  async admit(gatewayKey: string): Promise<Admission> {
    const cooldownMs = this.settings.cooldownSeconds * 1000
    return (await this.#admit([this.#stateKey(gatewayKey)], [cooldownMs, cooldownMs])) as Admission
  }

  async snapshot(gatewayKey: string): Promise<GatewayHealthSnapshot> {
    const { bucketSeconds, windowSeconds } = this.settings
    const values = (await this.#snapshot(
      [this.#stateKey(gatewayKey)],
      [bucketSeconds * 1000, windowSeconds * 1000]
    )) as [CircuitState, string, string, string, string, number, number, number]
    const [state, consecutive, openedAt, lastSuccessAt, lastFailureAt, ok, fail, latency] = values
    const total = ok + fail
    const avgLatencyMs = total > 0 ? Math.round(latency / total) : null
    return {
      gatewayKey,
      state,
      score: this.#score(ok, fail, avgLatencyMs),
      successes: ok,
      failures: fail,
      avgLatencyMs,
      consecutiveFailures: Number(consecutive),
      openedAt: toDate(openedAt),
      lastSuccessAt: toDate(lastSuccessAt),
      lastFailureAt: toDate(lastFailureAt),
    }
  }

  /** Every gateway that has reported an outcome since Redis last lost its data. */
  async knownGateways(): Promise<string[]> {
    return this.redis.smembers(KNOWN_GATEWAYS)
  }

  /**
   * Success rate with one success assumed (a new gateway starts trusted and a
   * single failure does not sink it), times a latency factor: full up to the
   * slow threshold, then falling with the mean latency down to half.
   */
  #score(ok: number, fail: number, avgLatencyMs: number | null) {
    const successRate = (ok + 1) / (ok + fail + 1)
    const slow = this.settings.slowLatencyMs
    const latencyFactor =
      avgLatencyMs === null || avgLatencyMs <= slow ? 1 : Math.max(0.5, slow / avgLatencyMs)
    return Math.round(successRate * latencyFactor * 10_000) / 10_000
  }

  #stateKey(gatewayKey: string) {
    return `health:${gatewayKey}`
  }
}

function toDate(millis: string) {
  return millis ? new Date(Number(millis)) : null
}
