import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Channel } from '#enums/channel'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { SuppressionReason } from '#enums/suppression_reason'
import type { SuppressionList } from '#messaging/suppression/suppression_list'
import type { MessagingConfig } from '#config/messaging'

/** The message a bounce or complaint was about. */
export interface BouncedMessage {
  id: string
  tenantId: string
  channel: Channel
  recipient: string
}

export interface FeedEvent {
  type: DeliveryEventType
  source: string
  reason: string | null
  code: string | null
}

const DAY_MS = 86_400_000

/**
 * What provider events teach the suppression list: a hard bounce or a
 * complaint suppresses the recipient for the message's tenant at once; soft
 * bounces only once enough of them pile up (counted from delivery_events).
 * Runs inside the tracker's transaction, so an event and its suppression are
 * stored together or not at all.
 */
export class SuppressionFeed {
  constructor(
    private suppressions: SuppressionList,
    private softBounces: MessagingConfig['softBounces']
  ) {}

  /** Returns the reason the recipient was suppressed for, or null. */
  async take(trx: TransactionClientContract, message: BouncedMessage, event: FeedEvent) {
    const reason = await this.#reasonFor(trx, message, event)
    if (!reason) return null
    await this.suppressions.add(
      {
        tenantId: message.tenantId,
        channel: message.channel,
        recipient: message.recipient,
        reason,
        source: event.source,
        details: {
          messageId: message.id,
          event: event.type,
          reason: event.reason,
          code: event.code,
        },
      },
      trx
    )
    return reason
  }

  async #reasonFor(trx: TransactionClientContract, message: BouncedMessage, event: FeedEvent) {
    switch (event.type) {
      case DeliveryEventType.Bounced:
        return SuppressionReason.HardBounce
      case DeliveryEventType.Complained:
        return SuppressionReason.Complaint
      case DeliveryEventType.SoftBounced:
        return (await this.#softBouncesReachThreshold(trx, message))
          ? SuppressionReason.SoftBounce
          : null
      default:
        return null
    }
  }

  async #softBouncesReachThreshold(trx: TransactionClientContract, message: BouncedMessage) {
    const { threshold, windowDays } = this.softBounces
    // Soft bounces for different messages to one recipient can arrive at the
    // same moment: one at a time per recipient, or each would count one short.
    await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [
      `soft-bounce:${message.tenantId}:${message.channel}:${message.recipient}`,
    ])
    const row = await trx
      .from('delivery_events as e')
      .join('messages as m', 'm.id', 'e.message_id')
      .where('e.type', DeliveryEventType.SoftBounced)
      .where('e.tenant_id', message.tenantId)
      .where('m.tenant_id', message.tenantId)
      .where('m.channel', message.channel)
      .where('m.recipient', message.recipient)
      .where('e.occurred_at', '>', new Date(Date.now() - windowDays * DAY_MS))
      .count('* as total')
      .first()
    return Number(row?.total ?? 0) >= threshold
  }
}
