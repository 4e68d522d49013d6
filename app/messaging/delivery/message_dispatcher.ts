import type { Logger } from '@adonisjs/core/logger'
import { MessageStatus } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import type { SuppressionList } from '#messaging/suppression/suppression_list'
import type { MessageStore, ClaimedMessage } from '#messaging/outbox/message_store'
import { LeaseKeeper, LeaseLostError, type Lease } from '#messaging/outbox/lease_keeper'
import type { ChannelRouter, GatewayCandidate } from '#messaging/routing/channel_router'
import type { RateLimiter } from '#messaging/routing/rate_limiter'
import type { TenantSettingsCache } from '#messaging/tenants/tenant_settings_cache'
import type { GatewayFailure, GatewayResult } from '#messaging/channels/gateway'
import type { OutboundMessage } from '#messaging/channels/outbound'
import { sendThrough } from '#messaging/channels/send_through'
import { gatewayFailure } from '#messaging/channels/gateway_failures'
import type { RetryPolicy } from '#messaging/delivery/retry_policy'
import type { ChannelFallback } from '#messaging/delivery/channel_fallback'
import {
  DeliveryOutcomes,
  type DispatchOutcome,
  type Throttled,
} from '#messaging/delivery/delivery_outcomes'
import { outboundMessageFrom } from '#messaging/channels/outbound_message'

/** The reason of a deferral while the tenant is suspended (`tenants:resume` looks for it) */
export const TENANT_SUSPENDED = 'tenant suspended'

/**
 * A tenth of the suspension so far, from 2 s up to an hour: each wait
 * re-claims the message and logs a deferral, so a long suspension should
 * cost little; `tenants:resume` promotes the waiting jobs, so resuming
 * never waits that long.
 */
export function suspensionWaitMs(suspendedForMs: number) {
  return Math.min(3_600_000, Math.max(2_000, Math.round(suspendedForMs / 10)))
}

/**
 * One message's way through a worker: claim it, re-check suppression, take
 * its rate-limit budgets, try its gateways in the router's order (failing
 * over at once on retry- and config-class errors), and record the outcome
 * with its event (DeliveryOutcomes). A final failure hands over to the
 * message's fallback channel, if it names one.
 *
 * The claim's lease is kept alive while the attempt runs, and every write of
 * the attempt carries its token: a worker whose lease was taken over sends
 * nothing more, and its outcome is neither recorded nor announced.
 */
export class MessageDispatcher {
  #leases: LeaseKeeper
  #outcomes: DeliveryOutcomes

  constructor(
    private store: MessageStore,
    private router: ChannelRouter,
    private limiter: RateLimiter,
    private tenants: TenantSettingsCache,
    retryPolicy: RetryPolicy,
    suppressions: SuppressionList,
    private fallback: ChannelFallback,
    private logger: Logger,
    private options: { leaseSeconds: number; maxAttempts: number }
  ) {
    this.#leases = new LeaseKeeper(store, logger, options.leaseSeconds)
    this.#outcomes = new DeliveryOutcomes(
      store,
      retryPolicy,
      suppressions,
      fallback,
      logger,
      options
    )
  }

  async dispatch(messageId: string): Promise<DispatchOutcome> {
    const claimedAt = Date.now()
    const message = await this.store.claim(messageId, this.options.leaseSeconds)
    if (!message) {
      return { kind: 'skipped' }
    }

    if (message.suppressed) {
      const suppressed = await this.store.markFailed(
        message,
        MessageStatus.Suppressed,
        { message: 'recipient is suppressed', code: 'SUPPRESSED' },
        { type: DeliveryEventType.Suppressed, reason: 'recipient suppressed before sending' }
      )
      if (!suppressed) return this.#outcomes.leaseLost(message)
      await this.fallback.after(message)
      return { kind: 'suppressed' }
    }

    const lease = this.#leases.keep(message, claimedAt)
    try {
      return await this.deliver(message, lease)
    } catch (error) {
      if (error instanceof LeaseLostError) return this.#outcomes.leaseLost(message)
      await this.handBack(message, error)
      throw error
    } finally {
      this.#leases.release(lease)
    }
  }

  /**
   * Called when the queue gives up on a job (its retries for unexpected errors
   * ran out): the message fails visibly instead of staying in flight, unless
   * an attempt holds it right now.
   */
  async giveUp(messageId: string, error: Error) {
    const failure = { message: error.message, code: 'WORKER_ERROR' }
    const event = { type: DeliveryEventType.Failed, reason: `worker gave up: ${error.message}` }
    const failed = await this.store.markAbandoned(messageId, failure, event)
    if (failed) await this.#outcomes.announceFailed(messageId, failed, failure, event)
  }

  private async deliver(message: ClaimedMessage, lease: Lease): Promise<DispatchOutcome> {
    const waiting = await this.waitIfSuspended(message)
    if (waiting) return waiting
    const plan = await this.router.route(message)
    const outbound = outboundMessageFrom(message)
    const budgets = this.limiter.messageBudgets(message)
    let lastFailure: GatewayFailure = {
      ok: false,
      errorClass: 'retry',
      code: 'NO_GATEWAY',
      message: plan.skipped.length
        ? `no gateway available for ${message.channel}: ${plan.skipped.map((skip) => `${skip.key} ${skip.reason}`).join(', ')}`
        : `no gateway available for ${message.channel}`,
    }
    let attempted = false
    let gatewayThrottled: Throttled | null = null

    // Over a copy: the router's admit() takes a refused candidate out of the plan
    for (const candidate of [...plan.candidates]) {
      // A test-mode stand-in calls no vendor: it takes nothing from the gateway's TPS
      const gatewayBudget = candidate.test
        ? null
        : this.limiter.gatewayBudget(candidate.key, candidate.tps)
      const decision = await this.limiter.take(
        message.id,
        gatewayBudget ? [...budgets, gatewayBudget] : budgets
      )
      if (!decision.allowed) {
        // A full domain or tenant budget holds whatever gateway we pick; a full
        // gateway budget sends us to the next gateway.
        if (decision.scope !== 'gateway') return this.#outcomes.defer(message, decision)
        if (!gatewayThrottled || decision.retryAt < gatewayThrottled.retryAt) {
          gatewayThrottled = decision
        }
        continue
      }

      // Asked only now, so a half-open probe slot goes to a send that uses the gateway
      if (!(await this.router.admit(plan, candidate))) continue
      attempted = true
      const startedAt = performance.now()
      const result = await this.attempt(lease, candidate, outbound)
      const latencyMs = Math.round(performance.now() - startedAt)
      // A permanent or suppress-class answer is about the message: the gateway works
      await this.recordHealth(candidate, result.ok || isAboutTheMessage(result), latencyMs)
      if (result.ok) {
        return this.#outcomes.sent(message, candidate, plan, result.providerMessageId, latencyMs)
      }

      lastFailure = result
      if (isAboutTheMessage(result)) {
        return this.#outcomes.fail(message, candidate, result)
      }
      const next = plan.candidates[plan.candidates.indexOf(candidate) + 1]?.key ?? null
      await this.store.note(message.id, {
        type: DeliveryEventType.Failover,
        gateway: candidate.key,
        reason: result.message,
        details: { code: result.code, errorClass: result.errorClass, next },
      })
      this.logger.warn(
        { messageId: message.id, gateway: candidate.key, code: result.code, next },
        next ? 'gateway failed, failing over' : 'gateway failed, no gateway left'
      )
    }

    if (gatewayThrottled && !attempted) {
      return this.#outcomes.defer(message, gatewayThrottled)
    }
    return this.#outcomes.retryLater(message, lastFailure)
  }

  /**
   * A suspended tenant's message is neither sent nor failed: back to `queued`,
   * the attempt not counted, its job delayed. The wait grows with the
   * suspension so a long one does not churn; `tenants:resume` wakes the
   * waiting jobs at once. The cache says who may be suspended; the row, read
   * afresh, says whether the tenant still is (a resume may be newer than the
   * last poll).
   */
  private async waitIfSuspended(message: ClaimedMessage): Promise<DispatchOutcome | null> {
    if (!this.tenants.of(message.tenant_id).suspendedAt) return null
    const { suspendedAt } = await this.tenants.current(message.tenant_id)
    if (!suspendedAt) return null
    const at = new Date(Date.now() + suspensionWaitMs(Date.now() - suspendedAt.getTime()))
    const deferred = await this.store.defer(message, at, {
      type: DeliveryEventType.Deferred,
      reason: TENANT_SUSPENDED,
      details: { nextAttemptAt: at.toISOString() },
    })
    if (!deferred) return this.#outcomes.leaseLost(message)
    return { kind: 'retry' as const, at }
  }

  /** Health is advisory: a Redis hiccup here must not fail a message already sent. */
  private async recordHealth(candidate: GatewayCandidate, ok: boolean, latencyMs: number) {
    try {
      await this.router.recordOutcome(candidate, ok, latencyMs)
    } catch (error) {
      this.logger.warn({ gateway: candidate.key, err: error }, 'could not record gateway health')
    }
  }

  /** One gateway call; never made once the lease is gone (another worker may be sending). */
  private async attempt(
    lease: Lease,
    candidate: GatewayCandidate,
    outbound: OutboundMessage
  ): Promise<GatewayResult> {
    lease.assertHeld()
    try {
      return await sendThrough(candidate.gateway, outbound)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      return gatewayFailure('retry', 'GATEWAY_EXCEPTION', reason)
    }
  }

  /**
   * An unexpected error after the claim, before any gateway accepted the
   * message (see DeliveryOutcomes' unrecorded): give it back to the queue at
   * once so the job's own retry can take it again (if the lease is still
   * ours). If even that fails, the lease runs out and the sweeper releases it.
   */
  private async handBack(message: ClaimedMessage, error: unknown) {
    const reason = error instanceof Error ? error.message : String(error)
    this.logger.error({ messageId: message.id, err: error }, 'dispatch failed unexpectedly')
    try {
      await this.store.requeue(
        message,
        new Date(),
        { message: reason, code: 'WORKER_ERROR' },
        { type: DeliveryEventType.Retrying, reason }
      )
    } catch {
      // The database is what failed; the lease expiry covers this message.
    }
  }
}

function isAboutTheMessage(failure: GatewayFailure) {
  return failure.errorClass === 'permanent' || failure.errorClass === 'suppress'
}
