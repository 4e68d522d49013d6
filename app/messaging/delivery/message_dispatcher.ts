import type { Logger } from '@adonisjs/core/logger'
import { MessageStatus } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { SuppressionReason } from '#enums/suppression_reason'
import type { SuppressionList } from '#messaging/suppression/suppression_list'
import type { MessageStore, ClaimedMessage, EventNote } from '#messaging/outbox/message_store'
import { announce } from '#messaging/message_announcer'
import type { ChannelRouter, GatewayCandidate } from '#messaging/routing/channel_router'
import type { GatewayResult } from '#messaging/gateways/gateway'
import type { RetryPolicy } from '#messaging/delivery/retry_policy'
import { outboundMessageFrom } from '#messaging/channels/outbound_message'

export type DispatchOutcome =
  | { kind: 'skipped' }
  | { kind: 'sent' }
  | { kind: 'failed' }
  | { kind: 'suppressed' }
  | { kind: 'retry'; at: Date }

type GatewayFailure = Extract<GatewayResult, { ok: false }>

/**
 * One message's way through a worker: claim it, re-check suppression, try its
 * gateways in order, and record the outcome with its event.
 */
export class MessageDispatcher {
  constructor(
    private store: MessageStore,
    private router: ChannelRouter,
    private retryPolicy: RetryPolicy,
    private suppressions: SuppressionList,
    private logger: Logger,
    private options: { leaseSeconds: number; maxAttempts: number }
  ) {}

  async dispatch(messageId: string): Promise<DispatchOutcome> {
    const message = await this.store.claim(messageId, this.options.leaseSeconds)
    if (!message) {
      return { kind: 'skipped' }
    }

    if (message.suppressed) {
      await this.store.markFailed(
        message.id,
        MessageStatus.Suppressed,
        { message: 'recipient is suppressed', code: 'SUPPRESSED' },
        { type: DeliveryEventType.Suppressed, reason: 'recipient suppressed before sending' }
      )
      return { kind: 'suppressed' }
    }

    try {
      return await this.deliver(message)
    } catch (error) {
      await this.handBack(message, error)
      throw error
    }
  }

  /**
   * Called when the queue gives up on a job (its retries for unexpected errors
   * ran out): the message fails visibly instead of staying in flight.
   */
  async giveUp(messageId: string, error: Error) {
    await this.failFinally(
      messageId,
      { message: error.message, code: 'WORKER_ERROR' },
      { type: DeliveryEventType.Failed, reason: `worker gave up: ${error.message}` }
    )
  }

  /** The message fails for good: recorded, then announced to listeners. */
  private async failFinally(
    messageId: string,
    error: { message: string; code: string | null },
    event: EventNote
  ) {
    const failed = await this.store.markFailed(messageId, MessageStatus.Failed, error, event)
    if (failed) {
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
  }

  private async deliver(message: ClaimedMessage): Promise<DispatchOutcome> {
    const candidates = await this.router.route(message)
    const outbound = outboundMessageFrom(message)
    let lastFailure: GatewayFailure = {
      ok: false,
      errorClass: 'retry',
      code: 'NO_GATEWAY',
      message: `no gateway available for ${message.channel}`,
    }

    for (const candidate of candidates) {
      const startedAt = performance.now()
      const result = await this.attempt(candidate, outbound)
      const latencyMs = Math.round(performance.now() - startedAt)
      if (result.ok) {
        await this.store.markSent(
          message.id,
          {
            gateway: candidate.key,
            providerConfigId: candidate.providerConfigId,
            providerMessageId: result.providerMessageId,
          },
          {
            type: DeliveryEventType.Sent,
            gateway: candidate.key,
            details: { providerMessageId: result.providerMessageId },
          }
        )
        this.logger.info({ messageId: message.id, gateway: candidate.key }, 'message sent')
        await announce('message:sent', [
          {
            messageId: message.id,
            tenantId: message.tenant_id,
            channel: message.channel,
            gateway: candidate.key,
            providerMessageId: result.providerMessageId,
            latencyMs,
            occurredAt: new Date(),
          },
        ])
        return { kind: 'sent' }
      }

      lastFailure = result
      if (result.errorClass === 'permanent' || result.errorClass === 'suppress') {
        return this.fail(message, candidate, result)
      }
      this.logger.warn(
        { messageId: message.id, gateway: candidate.key, code: result.code },
        'gateway failed, trying the next one'
      )
    }

    return this.retryLater(message, lastFailure)
  }

  private async attempt(
    candidate: GatewayCandidate,
    outbound: ReturnType<typeof outboundMessageFrom>
  ) {
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
    await this.failFinally(
      message.id,
      { message: failure.message, code: failure.code },
      {
        type: DeliveryEventType.Failed,
        gateway: candidate.key,
        reason: failure.message,
        details: { code: failure.code, errorClass: failure.errorClass },
      }
    )
    this.logger.warn({ messageId: message.id, code: failure.code }, 'message failed')
    return { kind: 'failed' as const }
  }

  private async retryLater(
    message: ClaimedMessage,
    failure: GatewayFailure
  ): Promise<DispatchOutcome> {
    if (message.attempts >= this.options.maxAttempts) {
      await this.failFinally(
        message.id,
        { message: failure.message, code: failure.code },
        {
          type: DeliveryEventType.Failed,
          reason: `gave up after ${message.attempts} attempts: ${failure.message}`,
          details: { code: failure.code },
        }
      )
      return { kind: 'failed' }
    }

    const backoff = this.retryPolicy.nextAttemptAt(message.attempts)
    const at = new Date(Math.max(backoff.getTime(), Date.now() + (failure.retryAfterMs ?? 0)))
    await this.store.requeue(
      message.id,
      at,
      { message: failure.message, code: failure.code },
      {
        type: DeliveryEventType.Retrying,
        reason: failure.message,
        details: { code: failure.code, attempt: message.attempts, nextAttemptAt: at.toISOString() },
      }
    )
    return { kind: 'retry', at }
  }

  /**
   * An unexpected error after the claim: give the message back to the queue
   * at once so the job's own retry can take it again. If even that fails, the
   * lease runs out and the sweeper releases it.
   */
  private async handBack(message: ClaimedMessage, error: unknown) {
    const reason = error instanceof Error ? error.message : String(error)
    this.logger.error({ messageId: message.id, err: error }, 'dispatch failed unexpectedly')
    try {
      await this.store.requeue(
        message.id,
        new Date(),
        { message: reason, code: 'WORKER_ERROR' },
        { type: DeliveryEventType.Retrying, reason }
      )
    } catch {
      // The database is what failed; the lease expiry covers this message.
    }
  }
}
