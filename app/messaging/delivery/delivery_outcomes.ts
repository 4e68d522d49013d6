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
import { announce } from '#messaging/message_announcer'
import type { GatewayCandidate, RoutePlan } from '#messaging/routing/channel_router'
import type { RateLimitDecision } from '#messaging/routing/rate_limiter'
import type { GatewayFailure } from '#messaging/channels/gateway'
import type { RetryPolicy } from '#messaging/delivery/retry_policy'
import type { ChannelFallback } from '#messaging/delivery/channel_fallback'

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

export type Throttled = Extract<RateLimitDecision, { allowed: false }>

/** How often a worker tries again to record a send while the database is unreachable */
const STORE_RETRY_MS = 500

/**
 * How a claimed message's attempt ends, written under its lease and then
 * announced: sent, deferred by a rate limit, failed (suppressing the
 * recipient when the gateway says so, then handing over to the fallback
 * channel), or requeued for a retry. A write that finds the lease gone
 * records nothing, and the outcome is `lost`.
 */
export class DeliveryOutcomes {
  constructor(
    private store: MessageStore,
    private retryPolicy: RetryPolicy,
    private suppressions: SuppressionList,
    private fallback: ChannelFallback,
    private logger: Logger,
    private options: { leaseSeconds: number; maxAttempts: number }
  ) {}

  /**
   * The message fails for good: recorded, then announced to listeners.
   * False when the lease was lost, and nothing was.
   */
  async #failFinally(
    message: LeaseHolder,
    error: { message: string; code: string | null },
    event: EventNote
  ) {
    const failed = await this.store.markFailed(message, MessageStatus.Failed, error, event)
    if (failed) await this.announceFailed(message.id, failed, error, event)
    return failed !== null
  }

  /** Tells listeners a message failed for good, once its failure is recorded. */
  async announceFailed(
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
  leaseLost(message: ClaimedMessage): DispatchOutcome {
    this.logger.warn(
      { messageId: message.id, attempt: message.attempts },
      'lease lost: another attempt holds the message, this one reports nothing'
    )
    return { kind: 'lost' }
  }

  /** A gateway accepted the message: recorded with its route, then announced. */
  async sent(
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
      recorded = await this.#whileLeased(() =>
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
      return this.#unrecorded(message, sent, error)
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
  #unrecorded(message: ClaimedMessage, sent: SentRecord, error: unknown): DispatchOutcome {
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
  async defer(message: ClaimedMessage, throttled: Throttled): Promise<DispatchOutcome> {
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
   * The gateway has the message: if this write were lost, the message would
   * be sent again once its lease ran out. So an unreachable database is waited
   * out, for most of the lease (past it, another worker may take the message).
   */
  async #whileLeased<T>(write: () => Promise<T>): Promise<T> {
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

  /** The gateway refused the message for good; a suppress-class refusal suppresses the recipient. */
  async fail(message: ClaimedMessage, candidate: GatewayCandidate, failure: GatewayFailure) {
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
    const failed = await this.#failFinally(
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

  /** A failure worth retrying: requeued with a backoff, or failed once its attempts run out. */
  async retryLater(message: ClaimedMessage, failure: GatewayFailure): Promise<DispatchOutcome> {
    if (message.attempts >= this.options.maxAttempts) {
      const failed = await this.#failFinally(
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
