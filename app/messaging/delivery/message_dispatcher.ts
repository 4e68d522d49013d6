import { setTimeout as sleep } from 'node:timers/promises'
import type { Logger } from '@adonisjs/core/logger'
import { isServiceUnavailable } from '#exceptions/service_availability'
import { MessageStatus } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { SuppressionReason } from '#enums/suppression_reason'
import type { SuppressionList } from '#messaging/suppression/suppression_list'
import type {
  MessageStore,
  ClaimedMessage,
  EventNote,
  LeaseHolder,
  SentRecord,
  WrittenMessage,
} from '#messaging/outbox/message_store'
import { escapedExcerpt } from '#messaging/outbox/storable_text'
import { LeaseKeeper, LeaseLostError, type Lease } from '#messaging/outbox/lease_keeper'
import { announce } from '#messaging/message_announcer'
import type { ChannelRouter, GatewayCandidate, RoutePlan } from '#messaging/routing/channel_router'
import type { RateLimiter, RateLimitDecision } from '#messaging/routing/rate_limiter'
import type { TenantSettingsCache } from '#messaging/tenants/tenant_settings_cache'
import type { GatewayResult } from '#messaging/channels/gateway'
import type { RetryPolicy } from '#messaging/delivery/retry_policy'
import type { ChannelFallback } from '#messaging/delivery/channel_fallback'
import { outboundMessageFrom } from '#messaging/channels/outbound_message'

export type DispatchOutcome =
  | { kind: 'skipped' }
  | { kind: 'sent' }
  | { kind: 'failed' }
  | { kind: 'suppressed' }
  | { kind: 'retry'; at: Date }
  /** Another worker took the message over: this one reports nothing */
  | { kind: 'lost' }
  /** The gateway has it, but its send could not be recorded: left to its lease */
  | { kind: 'unrecorded' }

type GatewayFailure = Extract<GatewayResult, { ok: false }>

/** How often a worker tries again to record a send while the database is unreachable */
const STORE_RETRY_MS = 500
type Throttled = Extract<RateLimitDecision, { allowed: false }>

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
 * with its event. A final failure hands over to the message's fallback
 * channel, if it names one.
 *
 * The claim's lease is kept alive while the attempt runs, and every write of
 * the attempt carries its token: a worker whose lease was taken over sends
 * nothing more, and its outcome is neither recorded nor announced.
 */
export class MessageDispatcher {
  #leases: LeaseKeeper

  constructor(
    private store: MessageStore,
    private router: ChannelRouter,
    private limiter: RateLimiter,
    private tenants: TenantSettingsCache,
    private retryPolicy: RetryPolicy,
    private suppressions: SuppressionList,
    private fallback: ChannelFallback,
    private logger: Logger,
    private options: { leaseSeconds: number; maxAttempts: number }
  ) {
    this.#leases = new LeaseKeeper(store, logger, options.leaseSeconds)
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
      if (!suppressed) return this.leaseLost(message)
      await this.fallback.after(message)
      return { kind: 'suppressed' }
    }

    const lease = this.#leases.keep(message, claimedAt)
    try {
      return await this.deliver(message, lease)
    } catch (error) {
      if (error instanceof LeaseLostError) return this.leaseLost(message)
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
    if (failed) await this.announceFailed(messageId, failed, failure, event)
  }

  /**
   * The message fails for good: recorded, then announced to listeners.
   * False when the lease was lost, and nothing was.
   */
  private async failFinally(
    message: LeaseHolder,
    error: { message: string; code: string | null },
    event: EventNote
  ) {
    const failed = await this.store.markFailed(message, MessageStatus.Failed, error, event)
    if (failed) await this.announceFailed(message.id, failed, error, event)
    return failed !== null
  }

  private async announceFailed(
    messageId: string,
    failed: WrittenMessage,
    error: { message: string; code: string | null },
    event: EventNote
  ) {
    await announce('message:failed', [
      {
        messageId,
        tenantId: failed.tenantId,
        channel: failed.channel,
        gateway: event.gateway ?? null,
        occurredAt: new Date(),
        reason: error.message,
        code: error.code,
      },
    ])
  }

  /** Another worker holds the message now (or the sweeper released it): nothing to report. */
  private leaseLost(message: ClaimedMessage): DispatchOutcome {
    this.logger.warn(
      { messageId: message.id, attempt: message.attempts },
      'lease lost: another attempt holds the message, this one reports nothing'
    )
    return { kind: 'lost' }
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
        if (decision.scope !== 'gateway') return this.defer(message, decision)
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
        return this.sent(message, candidate, plan, result.providerMessageId, latencyMs)
      }

      lastFailure = result
      if (isAboutTheMessage(result)) {
        return this.fail(message, candidate, result)
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
      return this.defer(message, gatewayThrottled)
    }
    return this.retryLater(message, lastFailure)
  }

  private async sent(
    message: ClaimedMessage,
    candidate: GatewayCandidate,
    plan: RoutePlan,
    providerMessageId: string,
    latencyMs: number
  ): Promise<DispatchOutcome> {
    const sent: SentRecord = {
      gateway: candidate.key,
      providerConfigId: candidate.providerConfigId,
      providerMessageId,
    }
    let recorded: WrittenMessage | null
    try {
      recorded = await this.whileLeased(() =>
        this.store.markSent(message, sent, {
          type: DeliveryEventType.Sent,
          gateway: candidate.key,
          reason: routeReason(candidate, plan),
          details: {
            providerMessageId,
            latencyMs,
            route: plan.candidates.map((option) => ({ gateway: option.key, score: option.score })),
            ...(plan.skipped.length ? { skipped: plan.skipped } : {}),
            ...(message.is_test ? { test: true } : {}),
          },
        })
      )
    } catch (error) {
      return this.unrecorded(message, sent, error)
    }
    if (!recorded) return this.leaseLost(message)
    this.logger.debug(
      { messageId: message.id, gateway: candidate.key, test: message.is_test },
      'message sent'
    )
    await announce('message:sent', [
      {
        messageId: message.id,
        tenantId: message.tenant_id,
        channel: message.channel,
        gateway: candidate.key,
        providerMessageId,
        latencyMs,
        occurredAt: new Date(),
        test: message.is_test,
      },
    ])
    return { kind: 'sent' }
  }

  /**
   * The gateway accepted the message, but recording it failed for good (a
   * refused write was already retried as a bare `sent`, without the provider
   * id, and failed too; an outage outlasted most of the lease). It is
   * never handed back, nor the error thrown for the job to retry: either
   * would send it again. The row stays `sending` under this attempt's lease,
   * so only the lease running out can release it.
   */
  private unrecorded(message: ClaimedMessage, sent: SentRecord, error: unknown): DispatchOutcome {
    this.logger.error(
      {
        messageId: message.id,
        gateway: sent.gateway,
        providerMessageId: escapedExcerpt(sent.providerMessageId),
        err: error,
      },
      'the gateway accepted the message but its send could not be recorded: left sending until its lease runs out'
    )
    return { kind: 'unrecorded' }
  }

  /**
   * A rate limit had no room: back to `queued` until its slot, the attempt
   * not counted. The job waits in BullMQ's delayed set, holding no worker.
   */
  private async defer(message: ClaimedMessage, throttled: Throttled): Promise<DispatchOutcome> {
    const deferred = await this.store.defer(message, throttled.retryAt, {
      type: DeliveryEventType.Deferred,
      reason: `${throttled.scope} rate limit (${throttled.key})`,
      details: {
        scope: throttled.scope,
        key: throttled.key,
        nextAttemptAt: throttled.retryAt.toISOString(),
      },
    })
    if (!deferred) return this.leaseLost(message)
    await announce('message:throttled', [
      {
        messageId: message.id,
        tenantId: message.tenant_id,
        channel: message.channel,
        scope: throttled.scope,
        key: throttled.key,
        retryAt: throttled.retryAt,
        occurredAt: new Date(),
      },
    ])
    return { kind: 'retry', at: throttled.retryAt }
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
    if (!deferred) return this.leaseLost(message)
    return { kind: 'retry' as const, at }
  }

  /**
   * The gateway has the message: if this write were lost, the message would
   * be sent again once its lease ran out. So an unreachable database is waited
   * out, for most of the lease (past it, another worker may take the message).
   */
  private async whileLeased<T>(write: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.options.leaseSeconds * 800
    for (;;) {
      try {
        return await write()
      } catch (error) {
        if (!isServiceUnavailable(error) || Date.now() > deadline) throw error
        await sleep(STORE_RETRY_MS)
      }
    }
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
    outbound: ReturnType<typeof outboundMessageFrom>
  ) {
    lease.assertHeld()
    try {
      return await candidate.gateway.send(outbound)
    } catch (error) {
      return {
        ok: false as const,
        errorClass: 'retry' as const,
        code: 'GATEWAY_EXCEPTION',
        message: error instanceof Error ? error.message : String(error),
      }
    }
  }

  private async fail(
    message: ClaimedMessage,
    candidate: GatewayCandidate,
    failure: GatewayFailure
  ) {
    if (failure.errorClass === 'suppress') {
      await this.suppressions.add({
        tenantId: message.tenant_id,
        channel: message.channel,
        recipient: message.recipient,
        reason: SuppressionReason.Invalid,
        source: candidate.key,
        details: { code: failure.code, message: failure.message, messageId: message.id },
      })
    }
    const failed = await this.failFinally(
      message,
      { message: failure.message, code: failure.code },
      {
        type: DeliveryEventType.Failed,
        gateway: candidate.key,
        reason: failure.message,
        details: { code: failure.code, errorClass: failure.errorClass },
      }
    )
    if (!failed) return this.leaseLost(message)
    this.logger.warn({ messageId: message.id, code: failure.code }, 'message failed')
    await this.fallback.after(message)
    return { kind: 'failed' as const }
  }

  private async retryLater(
    message: ClaimedMessage,
    failure: GatewayFailure
  ): Promise<DispatchOutcome> {
    if (message.attempts >= this.options.maxAttempts) {
      const failed = await this.failFinally(
        message,
        { message: failure.message, code: failure.code },
        {
          type: DeliveryEventType.Failed,
          reason: `gave up after ${message.attempts} attempts: ${failure.message}`,
          details: { code: failure.code },
        }
      )
      if (!failed) return this.leaseLost(message)
      await this.fallback.after(message)
      return { kind: 'failed' }
    }

    const backoff = this.retryPolicy.nextAttemptAt(message.attempts)
    const at = new Date(Math.max(backoff.getTime(), Date.now() + (failure.retryAfterMs ?? 0)))
    const requeued = await this.store.requeue(
      message,
      at,
      { message: failure.message, code: failure.code },
      {
        type: DeliveryEventType.Retrying,
        reason: failure.message,
        details: { code: failure.code, attempt: message.attempts, nextAttemptAt: at.toISOString() },
      }
    )
    if (!requeued) return this.leaseLost(message)
    return { kind: 'retry', at }
  }

  /**
   * An unexpected error after the claim, before any gateway accepted the
   * message (see unrecorded): give it back to the queue at once so the job's
   * own retry can take it again (if the lease is still ours). If even that
   * fails, the lease runs out and the sweeper releases it.
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

/** Why this gateway carried the message, for its `sent` event. */
function routeReason(candidate: GatewayCandidate, plan: RoutePlan) {
  const position = plan.candidates.indexOf(candidate)
  const how = candidate.probe
    ? 'half-open probe'
    : position === 0
      ? 'first choice'
      : `failover after ${plan.candidates
          .slice(0, position)
          .map((option) => option.key)
          .join(', ')}`
  return `${candidate.key}: ${how}, health ${candidate.score}`
}
