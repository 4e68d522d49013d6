import { randomUUID } from 'node:crypto'
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
  /**
   * When admit() may next let a probe through (Redis's clock): the end of the
   * cool-down, or of the current probe's timeout. Null while closed.
   */
  probeDueAt: Date | null
}

/**
 * Whether a gateway may be tried now. A send through a circuit that is not
 * closed is admitted only as the half-open probe, named by a token that its
 * outcome must carry back: no other send's outcome may close the circuit.
 */
export type Admission =
  | { admitted: true; probe: string | null }
  | { admitted: false; state: Exclude<CircuitState, 'closed'> }

/** What a send did to a gateway: one outcome, or `count` successes at once. */
export interface OutcomeOptions {
  /** Successes written together (latencyMs is then their total) */
  count?: number
  /** The token admit() gave this send, if it was the half-open probe */
  probe?: string | null
}

/** The health key of a provider config's gateway (channel_health_sync reads the id back out of it) */
export function providerGatewayKey(config: { type: string; id: string }) {
  return `${config.type}:${config.id}`
}

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
 * (successes may come several at once), the probe token ('' for none).
 * Returns the circuit state after.
 *
 * Every outcome counts in the window, but only the outcome of the probe
 * admitted last moves an open or half-open circuit: a send that started
 * before the circuit opened, or on a worker that had not seen it open yet,
 * says nothing about the gateway now, and letting its success close the
 * circuit made it flap.
 */
const RECORD = `${PRELUDE}
local ok, bucketMs, windowMs = ARGV[1] == '1', tonumber(ARGV[3]), tonumber(ARGV[4])
local count, latency = tonumber(ARGV[9]), tonumber(ARGV[2])
local values = redis.call('HMGET', KEYS[1], 'state', 'probe')
local state = values[1] or 'closed'
local isProbe = ARGV[10] ~= '' and ARGV[10] == values[2]
local last = now - (now % bucketMs)
redis.call('SADD', KEYS[2], ARGV[8])
if ok and isProbe then
  -- Recovered: judge it afresh, not by the failures that opened the circuit
  for start = last - windowMs + bucketMs, last, bucketMs do
    redis.call('DEL', KEYS[1] .. ':b:' .. start)
  end
end
local bucket = KEYS[1] .. ':b:' .. last
redis.call('HINCRBY', bucket, ok and 'ok' or 'fail', count)
redis.call('HINCRBY', bucket, 'latency', latency)
redis.call('PEXPIRE', bucket, windowMs + bucketMs)
if ok then
  redis.call('HSET', KEYS[1], 'consecutive', 0, 'lastSuccessAt', now)
  if not isProbe then return state end
  redis.call('HSET', KEYS[1], 'state', 'closed')
  redis.call('HDEL', KEYS[1], 'openedAt', 'probeAt', 'probe')
  return 'closed'
end
local consecutive = redis.call('HINCRBY', KEYS[1], 'consecutive', 1)
redis.call('HSET', KEYS[1], 'lastFailureAt', now)
local open = isProbe
if state == 'closed' then
  open = consecutive >= tonumber(ARGV[5])
  if not open then
    local successes, failures = window(bucketMs, windowMs)
    local total = successes + failures
    open = total >= tonumber(ARGV[7]) and failures / total >= tonumber(ARGV[6])
  end
end
if not open then return state end
-- Opened, or a failed probe: a fresh cool-down before the next probe
redis.call('HSET', KEYS[1], 'state', 'open', 'openedAt', now)
redis.call('HDEL', KEYS[1], 'probeAt', 'probe')
return 'open'
`

/**
 * ARGV: cool-down ms, probe timeout ms, the token for a new probe. An open
 * circuit past its cool-down lets exactly one caller through as the
 * half-open probe, under that token; a probe that never reports back (its
 * worker died) is replaced after the timeout, and its late report no longer
 * counts as the probe's. Returns 'closed', 'probe', or the state that
 * refused ('open': cooling down, 'half_open': a probe is out).
 */
const ADMIT = `${PRELUDE}
local values = redis.call('HMGET', KEYS[1], 'state', 'openedAt', 'probeAt')
local state = values[1] or 'closed'
if state == 'closed' then return 'closed' end
if state == 'open' and now < (tonumber(values[2]) or 0) + tonumber(ARGV[1]) then return 'open' end
if state == 'half_open' and now < (tonumber(values[3]) or 0) + tonumber(ARGV[2]) then return 'half_open' end
redis.call('HSET', KEYS[1], 'state', 'half_open', 'probeAt', now, 'probe', ARGV[3])
return 'probe'
`

/** ARGV: bucket ms, window ms. Returns the state hash fields and the window sums. */
const SNAPSHOT = `${PRELUDE}
local values = redis.call('HMGET', KEYS[1], 'state', 'consecutive', 'openedAt', 'lastSuccessAt', 'lastFailureAt', 'probeAt')
local ok, fail, latency = window(tonumber(ARGV[1]), tonumber(ARGV[2]))
return { values[1] or 'closed', values[2] or '0', values[3] or '', values[4] or '', values[5] or '', values[6] or '', ok, fail, latency }
`

/**
 * Per gateway, in Redis so every worker process sees the same: a rolling
 * window of outcomes and latency (the score) and a circuit breaker. The
 * circuit opens after `failureThreshold` failures in a row or when the error
 * rate in the window reaches `errorRate` over at least `minVolume` sends;
 * after the cool-down one probe goes through, and only its success closes
 * it (starting the window afresh); its failure opens it for another
 * cool-down.
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
  async record(
    gatewayKey: string,
    ok: boolean,
    latencyMs: number,
    { count = 1, probe = null }: OutcomeOptions = {}
  ) {
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
        probe ?? '',
      ]
    )) as CircuitState
  }

  /**
   * May this gateway be tried now? Asked right before a send through a
   * circuit not known to be closed, so the probe slot goes to a send that
   * really uses the gateway.
   */
  async admit(gatewayKey: string): Promise<Admission> {
    const cooldownMs = this.settings.cooldownSeconds * 1000
    const token = randomUUID()
    const answer = (await this.#admit(
      [this.#stateKey(gatewayKey)],
      [cooldownMs, cooldownMs, token]
    )) as 'closed' | 'probe' | Exclude<CircuitState, 'closed'>
    if (answer === 'closed') return { admitted: true, probe: null }
    if (answer === 'probe') return { admitted: true, probe: token }
    return { admitted: false, state: answer }
  }

  async snapshot(gatewayKey: string): Promise<GatewayHealthSnapshot> {
    const { bucketSeconds, windowSeconds } = this.settings
    const values = (await this.#snapshot(
      [this.#stateKey(gatewayKey)],
      [bucketSeconds * 1000, windowSeconds * 1000]
    )) as [CircuitState, string, string, string, string, string, number, number, number]
    const [state, consecutive, openedAt, lastSuccessAt, lastFailureAt, probeAt, ok, fail, latency] =
      values
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
      probeDueAt: this.#probeDueAt(state, openedAt, probeAt),
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

  /** The cool-down after opening, or the probe's timeout: both are the cool-down. */
  #probeDueAt(state: CircuitState, openedAt: string, probeAt: string) {
    const since = state === 'open' ? openedAt : state === 'half_open' ? probeAt : ''
    return since ? new Date(Number(since) + this.settings.cooldownSeconds * 1000) : null
  }

  #stateKey(gatewayKey: string) {
    return `health:${gatewayKey}`
  }
}

function toDate(millis: string) {
  return millis ? new Date(Number(millis)) : null
}
