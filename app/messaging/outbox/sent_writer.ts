import db from '@adonisjs/lucid/services/db'
import type { Channel } from '#enums/channel'
import type { EventNote, SentRecord } from '#messaging/outbox/message_store'
import { TurnBatch } from '#messaging/turn_batch'
import { retryOnDeadlock } from '#messaging/deadlock_retry'

interface PendingSent {
  id: string
  sent: SentRecord
  event: EventNote
}

type Written = { tenantId: string; channel: Channel } | null

/**
 * Writes `sent` outcomes in batches (TurnBatch): the ones a worker's
 * concurrent jobs report in the same turn of the event loop become one
 * statement (UPDATE … FROM unnest plus their events) instead of a round trip
 * each. One statement at a time: while it commits, the next batch gathers
 * (group commit), so a busy worker writes bigger batches, not more of them.
 */
export class SentWriter {
  #batch = new TurnBatch<PendingSent, Written>((batch) => this.#update(batch), { maxInFlight: 1 })

  write(id: string, sent: SentRecord, event: EventNote) {
    return this.#batch.add({ id, sent, event })
  }

  /**
   * A fast provider's callback may already have moved a message on
   * (delivered, or failed by a bounce): the send is still recorded, but the
   * status stays where the callback put it.
   */
  async #update(batch: PendingSent[]) {
    // A webhook batch may hold one of these messages and wait for another: retried when chosen
    const result = await retryOnDeadlock(() =>
      db.rawQuery(
        `WITH input AS (
         SELECT * FROM unnest(?::uuid[], ?::text[], ?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[])
           AS i(id, gateway, provider_config_id, provider_message_id, type, reason, details)
       ), moved AS (
         UPDATE messages m
            SET status = CASE WHEN m.status = 'sending' THEN 'sent' ELSE m.status END,
                sent_at = now(), gateway = i.gateway, provider_config_id = i.provider_config_id,
                provider_message_id = i.provider_message_id, locked_until = NULL, next_attempt_at = NULL,
                last_error = CASE WHEN m.status = 'sending' THEN NULL ELSE m.last_error END,
                last_error_code = CASE WHEN m.status = 'sending' THEN NULL ELSE m.last_error_code END,
                updated_at = now()
           FROM input i
          WHERE m.id = i.id AND m.status IN ('sending', 'delivered', 'failed')
          RETURNING m.id, m.tenant_id, m.channel, i.type, i.reason, i.gateway, i.details
       ), logged AS (
         INSERT INTO delivery_events (message_id, tenant_id, type, reason, gateway, details)
         SELECT id, tenant_id, type, reason, gateway, details::jsonb FROM moved
       )
       SELECT id, tenant_id, channel FROM moved`,
        [
          batch.map((pending) => pending.id),
          batch.map((pending) => pending.sent.gateway),
          batch.map((pending) => pending.sent.providerConfigId),
          batch.map((pending) => pending.sent.providerMessageId),
          batch.map((pending) => pending.event.type),
          batch.map((pending) => pending.event.reason ?? null),
          batch.map((pending) =>
            pending.event.details ? JSON.stringify(pending.event.details) : null
          ),
        ]
      )
    )
    const rows = result.rows as Array<{ id: string; tenant_id: string; channel: Channel }>
    const written = new Map(
      rows.map((row) => [row.id, { tenantId: row.tenant_id, channel: row.channel }])
    )
    return batch.map((pending) => written.get(pending.id) ?? null)
  }
}
