import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { CANCELABLE_STATUSES } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import type { ErasureTarget } from '#messaging/erasure/erasure_target'
import {
  EVENT_REDACTION,
  FALLBACK_REDACTION,
  WEBHOOK_DELIVERY_REDACTION,
  mentionSql,
  messageRedaction,
  redactionSql,
} from '#messaging/erasure/redaction'

export interface MessageErasureCounts {
  messages: number
  inboundMessages: number
  canceled: number
  events: number
  webhookPayloads: number
}

interface ErasedMessage {
  id: string
  direction: string
  provider_message_id: string | null
}

/**
 * The message log's part of an erasure, inside its transaction (which has
 * set switchboard.erasure, so the immutability triggers let it redact):
 * the tenant's messages to and from the address are canceled if they have
 * not gone out yet, then redacted with their events and the tenant webhook
 * attempts that reported them.
 */
export class MessageRedactor {
  async erase(
    trx: TransactionClientContract,
    target: ErasureTarget,
    erasedAt: Date
  ): Promise<MessageErasureCounts> {
    const messages = await this.lock(trx, target)
    const ids = messages.map((message) => message.id)
    const canceled = await this.cancel(trx, ids)
    const redacted = redactionSql(messageRedaction(target, erasedAt), target, 'm')
    await trx.rawQuery(`UPDATE messages m SET ${redacted.sql} WHERE m.id = ANY(?::uuid[])`, [
      ...redacted.bindings,
      ids,
    ])
    await this.scrubFallbacks(trx, target)
    const providerIds = messages.flatMap((message) => message.provider_message_id ?? [])
    const inbound = messages.filter((message) => message.direction === 'inbound').length
    return {
      messages: messages.length - inbound,
      inboundMessages: inbound,
      canceled,
      events: await this.redactEvents(trx, target, ids, providerIds),
      webhookPayloads: await this.redactWebhookDeliveries(trx, target, ids),
    }
  }

  /**
   * Provider callbacks that arrived before their message was known stay in
   * the table (no message id) when the message is archived: matched by the
   * provider's ids the archive files hold. Returns how many were redacted.
   */
  async eraseOrphanEvents(
    trx: TransactionClientContract,
    target: ErasureTarget,
    providerIds: string[]
  ) {
    return this.redactEvents(trx, target, [], providerIds)
  }

  /** Locked so no worker claims one of them between the cancel and the commit */
  private async lock(trx: TransactionClientContract, target: ErasureTarget) {
    const owned = target.messagesCondition('m')
    const result = await trx.rawQuery(
      `SELECT m.id, m.direction, m.provider_message_id FROM messages m
        WHERE ${owned.sql} ORDER BY m.id FOR UPDATE`,
      owned.bindings
    )
    return result.rows as ErasedMessage[]
  }

  /** A message to an erased person must never go out: what has not started sending is canceled */
  private async cancel(trx: TransactionClientContract, ids: string[]) {
    const result = await trx.rawQuery(
      `WITH canceled AS (
         UPDATE messages
            SET status = 'canceled', canceled_at = now(), next_attempt_at = NULL, updated_at = now()
          WHERE id = ANY(?::uuid[]) AND status = ANY(?::text[])
          RETURNING id, tenant_id
       ), logged AS (
         INSERT INTO delivery_events (message_id, tenant_id, type, reason)
         SELECT id, tenant_id, ?, 'recipient erased' FROM canceled
       )
       SELECT count(*) AS canceled FROM canceled`,
      [ids, CANCELABLE_STATUSES, DeliveryEventType.Canceled]
    )
    return Number(result.rows[0].canceled)
  }

  /** Other messages of the tenant that named the address as a channel to fall back to */
  private async scrubFallbacks(trx: TransactionClientContract, target: ErasureTarget) {
    const scrubbed = redactionSql(FALLBACK_REDACTION, target, 'm')
    const mentioning = mentionSql(FALLBACK_REDACTION, target, 'm')
    await trx.rawQuery(
      `UPDATE messages m SET ${scrubbed.sql}
        WHERE m.tenant_id = ? AND m.fallback IS NOT NULL AND ${mentioning.sql}`,
      [...scrubbed.bindings, target.tenantId, ...mentioning.bindings]
    )
  }

  /**
   * The messages' events, and the tenant's provider callbacks that arrived
   * before their message was known (no message id yet, matched by the
   * provider's id, which another tenant's provider may also have used).
   */
  private async redactEvents(
    trx: TransactionClientContract,
    target: ErasureTarget,
    ids: string[],
    providerIds: string[]
  ) {
    const redacted = redactionSql(EVENT_REDACTION, target, 'e')
    const result = await trx.rawQuery(
      `UPDATE delivery_events e SET ${redacted.sql}
        WHERE e.message_id = ANY(?::uuid[])
           OR (e.message_id IS NULL AND e.tenant_id = ? AND e.provider_message_id = ANY(?::text[]))`,
      [...redacted.bindings, ids, target.tenantId, providerIds]
    )
    return result.rowCount ?? 0
  }

  private async redactWebhookDeliveries(
    trx: TransactionClientContract,
    target: ErasureTarget,
    ids: string[]
  ) {
    const redacted = redactionSql(WEBHOOK_DELIVERY_REDACTION, target, 'd')
    const result = await trx.rawQuery(
      `UPDATE webhook_deliveries d SET ${redacted.sql}
         FROM webhook_endpoints w
        WHERE w.id = d.endpoint_id AND w.tenant_id = ?
          AND d.payload -> 'data' ->> 'messageId' = ANY(?::text[])`,
      [...redacted.bindings, target.tenantId, ids]
    )
    return result.rowCount ?? 0
  }
}
