import db from '@adonisjs/lucid/services/db'
import type { Channel } from '#enums/channel'
import type { EventNote, SentRecord } from '#messaging/outbox/message_store'

interface PendingSent {
  id: string
  sent: SentRecord
  event: EventNote
  resolve: (row: { tenantId: string; channel: Channel } | null) => void
  reject: (error: unknown) => void
}

/**
 * Writes `sent` outcomes in batches: the ones a worker's concurrent jobs
 * report in the same turn of the event loop become one statement (UPDATE …
 * FROM unnest plus their events), instead of a round trip each. An idle
 * worker's single send is written on the next tick, so latency stays put;
 * a busy one writes tens of rows per statement.
 */
export class SentWriter {
  #pending: PendingSent[] = []
  #scheduled = false

  write(id: string, sent: SentRecord, event: EventNote) {
    return new Promise<{ tenantId: string; channel: Channel } | null>((resolve, reject) => {
      this.#pending.push({ id, sent, event, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => this.#flush())
      }
    })
  }

  async #flush() {
    const batch = this.#pending
    this.#pending = []
    this.#scheduled = false
    try {
      const written = await this.#update(batch)
      for (const pending of batch) pending.resolve(written.get(pending.id) ?? null)
    } catch (error) {
      for (const pending of batch) pending.reject(error)
    }
  }

  /**
   * A fast provider's callback may already have moved a message on
   * (delivered, or failed by a bounce): the send is still recorded, but the
   * status stays where the callback put it.
   */
  async #update(batch: PendingSent[]) {
    const result = await db.rawQuery(
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
    const rows = result.rows as Array<{ id: string; tenant_id: string; channel: Channel }>
    return new Map(rows.map((row) => [row.id, { tenantId: row.tenant_id, channel: row.channel }]))
  }
}
