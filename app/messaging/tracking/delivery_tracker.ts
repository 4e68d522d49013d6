import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import logger from '@adonisjs/core/services/logger'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Channel } from '#enums/channel'
import { MessageStatus } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import type { SuppressionReason } from '#enums/suppression_reason'
import type { ProviderEvent } from '#messaging/tracking/provider_event'
import { changesFor, type MessageChanges } from '#messaging/tracking/status_transition'
import { SuppressionFeed } from '#messaging/tracking/suppression_feed'
import { MetricsRecorder } from '#messaging/metrics/metrics_recorder'

interface LockedMessage {
  id: string
  tenant_id: string
  channel: Channel
  recipient: string
  status: MessageStatus
  opened_at: Date | null
  clicked_at: Date | null
}

export type TrackResult =
  /** The provider had already told us this (a retried webhook): nothing changed */
  | { outcome: 'duplicate' }
  /** Logged without a message: we have none with that id (yet) */
  | { outcome: 'orphan'; deliveryEventId: number }
  | {
      outcome: 'applied'
      deliveryEventId: number
      messageId: string
      tenantId: string
      status: MessageStatus
      changes: MessageChanges | null
      suppressed: SuppressionReason | null
    }

type Applied = Extract<TrackResult, { outcome: 'applied' }>

/**
 * Applies what providers report about messages: every event is appended to
 * delivery_events once (the unique (source, provider_event_id) index drops
 * retries), the message moves forward only (status_transition.ts), bounces
 * and complaints feed the suppression list, and the domain events go out
 * after the commit.
 *
 * One transaction per event with the message row locked first: concurrent
 * deliveries of the same webhook, or of two events for one message, are
 * applied one after the other, and the worker's own status writes wait too.
 */
@inject()
export class DeliveryTracker {
  constructor(
    private suppressionFeed: SuppressionFeed,
    private metrics: MetricsRecorder
  ) {}

  async apply(event: ProviderEvent): Promise<TrackResult> {
    // A provider's clock may run ahead of ours; nothing is stamped in the future.
    const occurredAt = new Date(Math.min(event.occurredAt.getTime(), Date.now()))
    const result = await db.transaction(async (trx) => {
      const message = await this.#lockMessage(trx, event)
      const deliveryEventId = await this.#append(trx, event, message, occurredAt)
      if (deliveryEventId === null) return { outcome: 'duplicate' as const }
      if (!message) return { outcome: 'orphan' as const, deliveryEventId }

      const changes = changesFor(
        { status: message.status, openedAt: message.opened_at, clickedAt: message.clicked_at },
        { type: event.type, occurredAt, reason: event.reason, code: event.code }
      )
      if (changes) {
        await trx
          .from('messages')
          .where('id', message.id)
          .update({ ...changes, updated_at: new Date() })
      }
      const suppressed = await this.suppressionFeed.take(
        trx,
        {
          id: message.id,
          tenantId: message.tenant_id,
          channel: message.channel,
          recipient: message.recipient,
        },
        event
      )
      const applied: Applied = {
        outcome: 'applied',
        deliveryEventId,
        messageId: message.id,
        tenantId: message.tenant_id,
        status: changes?.status ?? message.status,
        changes,
        suppressed,
      }
      return { ...applied, before: message }
    })

    this.metrics.webhookEvent(event.source, result.outcome)
    if (result.outcome !== 'applied') return result
    const { before, ...applied } = result
    await this.#announce(event, occurredAt, applied, before)
    return applied
  }

  /**
   * The message the event is about, locked until the commit. Our own id wins
   * over the provider's when both are known.
   */
  async #lockMessage(trx: TransactionClientContract, event: ProviderEvent) {
    const { messageId, providerMessageId, tenantId } = event
    // One index lookup at a time: an OR of the two lets the planner scan a whole tenant instead
    const byId = messageId ? await this.#lockBy(trx, 'id', messageId, tenantId) : null
    if (byId || !providerMessageId) return byId
    return this.#lockBy(trx, 'provider_message_id', providerMessageId, tenantId)
  }

  async #lockBy(
    trx: TransactionClientContract,
    column: 'id' | 'provider_message_id',
    value: string,
    tenantId: string | null | undefined
  ) {
    const query = trx
      .from('messages')
      .select('id', 'tenant_id', 'channel', 'recipient', 'status', 'opened_at', 'clicked_at')
      .where(column, value)
      .if(tenantId, (scoped) => scoped.where('tenant_id', tenantId!))
      .limit(1)
      .forUpdate()
    return ((await query.first()) as LockedMessage | null) ?? null
  }

  /** Append the event; null when this provider event was already logged. */
  async #append(
    trx: TransactionClientContract,
    event: ProviderEvent,
    message: LockedMessage | null,
    occurredAt: Date
  ) {
    const details = {
      ...event.details,
      providerConfigId: event.providerConfigId,
      recipient: event.recipient,
      code: event.code,
    }
    const inserted: Array<{ id: string }> = await trx
      .knexQuery()
      .table('delivery_events')
      .insert({
        message_id: message?.id ?? null,
        tenant_id: message?.tenant_id ?? event.tenantId,
        type: event.type,
        source: event.source,
        provider_event_id: event.providerEventId,
        provider_message_id: event.providerMessageId,
        reason: event.reason,
        details: JSON.stringify(details),
        payload: JSON.stringify(event.payload ?? null),
        occurred_at: occurredAt,
      })
      .onConflict(
        trx.knexRawQuery('(source, provider_event_id) WHERE provider_event_id IS NOT NULL')
      )
      .ignore()
      .returning('id')
    return inserted.length > 0 ? Number(inserted[0].id) : null
  }

  /**
   * The domain events, after the commit. A failing listener is logged, not
   * thrown: the provider must not retry an event we already recorded.
   */
  async #announce(event: ProviderEvent, occurredAt: Date, applied: Applied, before: LockedMessage) {
    const base = {
      messageId: applied.messageId,
      tenantId: applied.tenantId,
      occurredAt,
      deliveryEventId: applied.deliveryEventId,
      source: event.source,
      status: applied.status,
    }
    const recipient = before.recipient
    const emitted: Array<Promise<void>> = []
    if (applied.changes?.status === MessageStatus.Delivered) {
      emitted.push(emitter.emit('message:delivered', base))
    }
    switch (event.type) {
      case DeliveryEventType.Opened:
        emitted.push(emitter.emit('message:opened', { ...base, first: !before.opened_at }))
        break
      case DeliveryEventType.Clicked:
        emitted.push(
          emitter.emit('message:clicked', {
            ...base,
            first: !before.clicked_at,
            url: typeof event.details.url === 'string' ? event.details.url : null,
          })
        )
        break
      case DeliveryEventType.Bounced:
      case DeliveryEventType.SoftBounced:
        emitted.push(
          emitter.emit('message:bounced', {
            ...base,
            permanent: event.type === DeliveryEventType.Bounced,
            recipient,
            reason: event.reason,
          })
        )
        break
      case DeliveryEventType.Complained:
        emitted.push(emitter.emit('message:complained', { ...base, recipient }))
        break
    }
    if (applied.changes?.status === MessageStatus.Failed) {
      emitted.push(
        emitter.emit('message:failed', {
          messageId: applied.messageId,
          tenantId: applied.tenantId,
          channel: before.channel,
          gateway: event.source,
          occurredAt,
          reason: applied.changes.last_error ?? event.type,
          code: applied.changes.last_error_code ?? null,
        })
      )
    }
    const outcomes = await Promise.allSettled(emitted)
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') {
        logger.error(
          { err: outcome.reason, messageId: applied.messageId },
          'a delivery event listener failed'
        )
      }
    }
  }
}
