import type { Logger } from '@adonisjs/core/logger'
import type { Channel } from '#enums/channel'
import type { Gateway } from '#messaging/channels/gateway'
import { TestModeGateway } from '#messaging/routing/test_mode_gateway'
import type { GatewayFactory } from '#messaging/vendors/gateway_factory'
import type { ClaimedMessage } from '#messaging/outbox/message_store'
import type { ProviderAccount, ProviderAccounts } from '#messaging/accounts/provider_accounts'
import {
  providerGatewayKey,
  type CircuitState,
  type GatewayHealth,
  type GatewayHealthSnapshot,
} from '#messaging/routing/gateway_health'
import { TurnBatch } from '#messaging/turn_batch'

/** A gateway that may carry a message, in the order to try it. */
export interface GatewayCandidate {
  /** Identifies the gateway account for health and rate limits: `${type}:${configId}` */
  key: string
  gateway: Gateway
  providerConfigId: string | null
  /** Sends per second the provider allows (its config's metadata.tps) */
  tps: number | null
  score: number
  /**
   * The circuit as route() saw it. Not closed: the dispatcher asks admit()
   * right before sending through this gateway.
   */
  circuit: CircuitState
  /** The half-open probe's token when admit() made this send the probe */
  probe: string | null
  /** A test message's: its gateway is a stand-in, and its outcome says nothing of the vendor's health */
  test?: boolean
}

/** The gateways to try, best first, and why: recorded on the message's events. */
export interface RoutePlan {
  candidates: GatewayCandidate[]
  /** Gateways left out, with the reason (open circuit), by route() or admit() */
  skipped: Array<{ key: string; reason: string }>
}

/** Below this score a gateway is tried only after every healthier one */
const DEGRADED_SCORE = 0.5

/**
 * How long a worker trusts a gateway's health snapshot. A circuit this
 * worker sees open is known at once (record() answers the new state); one
 * opened by another worker is seen within this.
 */
const HEALTH_TTL_MS = 1_000

/**
 * How long a worker reuses a tenant's provider list for a channel: a config
 * change takes effect within this, and a busy worker reads the list once per
 * period instead of once per message.
 */
const ACCOUNTS_TTL_MS = 5_000

interface CachedAccounts {
  expiresAt: number
  accounts: Promise<ProviderAccount[]>
}

/**
 * Chooses the gateways for a message, best first: the tenant's own provider
 * configs for the channel by priority, then the system defaults, with
 * degraded gateways (health score under 0.5) moved behind the healthy ones
 * and open circuits left out while they cool down. A circuit due a probe
 * keeps its place, and admit() gives the probe slot to the one send that
 * actually reaches it. With none configured, the default gateway (the log
 * gateway) carries the message.
 */
export class ChannelRouter {
  /** In expiry order: every entry lives the same time and is re-inserted on refresh */
  #accounts = new Map<string, CachedAccounts>()
  #health = new Map<string, { expiresAt: number; snapshot: Promise<GatewayHealthSnapshot> }>()
  /** The circuit state this worker last saw per gateway */
  #knownState = new Map<string, CircuitState>()
  #successes = new TurnBatch<{ gatewayKey: string; latencyMs: number }, void>((sends) =>
    this.#recordSuccesses(sends)
  )

  constructor(
    private providerAccounts: ProviderAccounts,
    private gateways: GatewayFactory,
    private defaultGateway: Gateway,
    private health: GatewayHealth,
    private logger: Logger
  ) {}

  /**
   * A test message is routed as a live one would be, then each chosen
   * gateway is swapped for its test-mode stand-in: no vendor is called.
   */
  async route(message: ClaimedMessage): Promise<RoutePlan> {
    const plan = await this.#route(message)
    if (message.is_test) {
      for (const candidate of plan.candidates) {
        candidate.gateway = new TestModeGateway(candidate.gateway, this.logger)
        candidate.test = true
      }
    }
    return plan
  }

  async #route(message: ClaimedMessage): Promise<RoutePlan> {
    const accounts = await this.#accountsFor(message.tenant_id, message.channel)
    if (accounts.length === 0) {
      const key = this.defaultGateway.type
      return {
        candidates: [
          {
            key,
            gateway: this.defaultGateway,
            providerConfigId: null,
            tps: null,
            score: 1,
            circuit: 'closed',
            probe: null,
          },
        ],
        skipped: [],
      }
    }
    // An account that cannot make a gateway is skipped. If none can, the message
    // has no candidate (retried, then failed) rather than the log gateway: a
    // message meant for a real provider must not vanish into a log.
    const built = accounts.flatMap((account) => this.#candidate(account) ?? [])
    const plan: RoutePlan = { candidates: [], skipped: [] }
    for (const candidate of built) {
      const snapshot = await this.#healthOf(candidate.key)
      candidate.score = snapshot.score
      candidate.circuit = snapshot.state
      // Cooling down, or its probe is out: not worth asking. The snapshot may be
      // a second old, so past this point admit() decides, not the snapshot.
      if (snapshot.probeDueAt && snapshot.probeDueAt.getTime() > Date.now()) {
        plan.skipped.push({ key: candidate.key, reason: `circuit ${snapshot.state}` })
        continue
      }
      plan.candidates.push(candidate)
    }
    // Stable: healthy ones keep their configured order, degraded ones follow by
    // score. A would-be probe keeps its place: it is the one send that tests a circuit.
    const degraded = (candidate: GatewayCandidate) =>
      candidate.circuit === 'closed' && candidate.score < DEGRADED_SCORE
    plan.candidates.sort((a, b) => {
      const aDegraded = degraded(a)
      const bDegraded = degraded(b)
      if (aDegraded !== bDegraded) return aDegraded ? 1 : -1
      return aDegraded ? b.score - a.score : 0
    })
    return plan
  }

  /**
   * Called right before sending through a candidate: may it be tried now?
   * A candidate whose circuit route() saw closed is; any other is asked of
   * the circuit itself, and becomes the half-open probe or is refused. A
   * refused one moves from the plan's candidates to its skipped list, so the
   * message's events say why it was passed over. A test message never takes
   * a probe slot: the stand-in's answer would say nothing about the vendor.
   */
  async admit(plan: RoutePlan, candidate: GatewayCandidate): Promise<boolean> {
    if (candidate.circuit === 'closed' || candidate.test) return true
    const admission = await this.health.admit(candidate.key)
    if (admission.admitted) {
      candidate.probe = admission.probe
      return true
    }
    plan.candidates.splice(plan.candidates.indexOf(candidate), 1)
    plan.skipped.push({ key: candidate.key, reason: `circuit ${admission.state}` })
    return false
  }

  /**
   * Tell the router what a send did to a gateway's health. Successes through
   * a circuit this worker knows closed are the common case: those of one turn
   * of the event loop are written together (never a probe's, which must carry
   * its token). Anything else is written at once, after this worker's pending
   * successes so the order holds; when it changes the circuit (opened, or
   * closed by its probe with a fresh window), this worker reads the gateway's
   * health anew for its next message. A test message's outcome is not the
   * vendor's, and moves neither its health nor its circuit.
   */
  async recordOutcome(candidate: GatewayCandidate, ok: boolean, latencyMs: number) {
    if (candidate.test) return
    const { key: gatewayKey, probe } = candidate
    if (ok && !probe && this.#knownState.get(gatewayKey) === 'closed') {
      return this.#successes.add({ gatewayKey, latencyMs })
    }
    await this.#successes.flushNow()
    const state = await this.health.record(gatewayKey, ok, latencyMs, { probe })
    if (state !== this.#knownState.get(gatewayKey)) {
      this.#health.delete(gatewayKey)
      this.#knownState.set(gatewayKey, state)
    }
  }

  async #recordSuccesses(sends: Array<{ gatewayKey: string; latencyMs: number }>) {
    const byGateway = new Map<string, { count: number; latencyMs: number }>()
    for (const { gatewayKey, latencyMs } of sends) {
      const total = byGateway.get(gatewayKey) ?? { count: 0, latencyMs: 0 }
      total.count++
      total.latencyMs += latencyMs
      byGateway.set(gatewayKey, total)
    }
    await Promise.all(
      [...byGateway].map(([gatewayKey, total]) =>
        this.health.record(gatewayKey, true, total.latencyMs, { count: total.count })
      )
    )
    return sends.map(() => undefined)
  }

  #healthOf(gatewayKey: string) {
    const now = Date.now()
    const cached = this.#health.get(gatewayKey)
    if (cached && cached.expiresAt > now) return cached.snapshot
    const snapshot = this.health.snapshot(gatewayKey)
    this.#health.set(gatewayKey, { expiresAt: now + HEALTH_TTL_MS, snapshot })
    snapshot.then(
      ({ state }) => this.#knownState.set(gatewayKey, state),
      () => this.#health.delete(gatewayKey)
    )
    return snapshot
  }

  #candidate(account: ProviderAccount): GatewayCandidate | null {
    const { id, type, metadata } = account.config
    try {
      const tps = (metadata as { tps?: unknown } | null)?.tps
      return {
        key: providerGatewayKey(account.config),
        gateway: this.gateways.forAccount(account),
        providerConfigId: id,
        tps: typeof tps === 'number' ? tps : null,
        score: 1,
        circuit: 'closed',
        probe: null,
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      this.logger.error(
        { providerConfigId: id, type, reason },
        'provider config cannot make a gateway'
      )
      return null
    }
  }

  #accountsFor(tenantId: string, channel: Channel) {
    const key = `${tenantId}:${channel}`
    const now = Date.now()
    const cached = this.#accounts.get(key)
    if (cached && cached.expiresAt > now) return cached.accounts

    this.#dropExpired(now)
    const accounts = this.providerAccounts.forChannel(tenantId, channel)
    this.#accounts.delete(key)
    this.#accounts.set(key, { expiresAt: now + ACCOUNTS_TTL_MS, accounts })
    // A failed read is not kept: the next message asks the database again
    accounts.catch(() => {
      if (this.#accounts.get(key)?.accounts === accounts) this.#accounts.delete(key)
    })
    return accounts
  }

  #dropExpired(now: number) {
    for (const [key, entry] of this.#accounts) {
      if (entry.expiresAt > now) break
      this.#accounts.delete(key)
    }
  }
}
