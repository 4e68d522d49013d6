import db from '@adonisjs/lucid/services/db'
import type { Channel } from '#enums/channel'
import type {
  EventNote,
  LeaseHolder,
  SentRecord,
  WrittenMessage,
} from '#messaging/outbox/message_records'
import { TurnBatch } from '#messaging/turn_batch'
import { retryOnDeadlock } from '#messaging/deadlock_retry'
import { isServiceUnavailable } from '#exceptions/service_availability'
import { escapedExcerpt, storableDetails, storableText } from '#messaging/outbox/storable_text'

interface PendingSent {
  holder: LeaseHolder
  sent: Omit<SentRecord, 'providerMessageId'> & { providerMessageId: string | null }
  event: EventNote
}

/** One send's write: the message (null when its lease was lost), or the error it alone failed with */
type Outcome = { written: WrittenMessage | null } | { error: unknown }

/**
 * Writes `sent` outcomes in batches (TurnBatch): the ones a worker's
 * concurrent jobs report in the same turn of the event loop become one
 * statement (UPDATE … FROM unnest plus their events) instead of a round trip
 * each. One statement at a time: while it commits, the next batch gathers
 * (group commit), so a busy worker writes bigger batches, not more of them.
 */
export class SentWriter {
  #batch = new TurnBatch<PendingSent, Outcome>((batch) => this.#writeAll(batch), {
    maxInFlight: 1,
  })

  /**
   * Records the send if `holder` still holds the message's lease; null when
   * it does not (another worker took the message over: this send is not ours
   * to report).
   */
  async write(holder: LeaseHolder, sent: SentRecord, event: EventNote) {
    const outcome = await this.#batch.add({ holder, sent, event })
    if ('error' in outcome) throw outcome.error
    return outcome.written
  }

  /**
   * One statement for the batch. Should PostgreSQL refuse it for a reason
   * other than being away (a provider id it cannot store, say), each send is
   * written on its own, so one bad value fails no other send with it.
   */
  async #writeAll(batch: PendingSent[]): Promise<Outcome[]> {
    try {
      const written = await this.#update(batch)
      return written.map((message) => ({ written: message }))
    } catch (error) {
      if (isServiceUnavailable(error)) throw error
      if (batch.length === 1) return [await this.#writeRefused(batch[0], error)]
      const outcomes: Outcome[] = []
      for (const pending of batch) {
        outcomes.push(
          await this.#update([pending]).then(
            ([written]) => ({ written }),
            (failure) =>
              isServiceUnavailable(failure)
                ? { error: failure }
                : this.#writeRefused(pending, failure)
          )
        )
      }
      return outcomes
    }
  }

  /**
   * A send PostgreSQL refused even alone. The gateway has the message, so it
   * must still be recorded `sent` (not written, it would be sent again once
   * its lease ran out): without the provider id, and with no details but that
   * id escaped and why it was refused, so nothing in them can be refused again.
   */
  async #writeRefused(pending: PendingSent, refusal: unknown): Promise<Outcome> {
    const stripped: PendingSent = {
      ...pending,
      sent: { ...pending.sent, providerMessageId: null },
      event: {
        ...pending.event,
        details: {
          providerMessageId: null,
          providerMessageIdRefused: {
            value: escapedExcerpt(pending.sent.providerMessageId),
            error: refusal instanceof Error ? refusal.message : String(refusal),
          },
        },
      },
    }
    try {
      const [written] = await this.#update([stripped])
      return { written }
    } catch (error) {
      return { error }
    }
  }

  /**
   * Only the lease's holder records its send. A fast provider's callback may
   * already have moved the message on (delivered, or failed by a bounce): the
   * send is still recorded, but the status stays where the callback put it.
   * The attempt ends here, so the lease token goes.
   */
  async #update(batch: PendingSent[]) {
    // A webhook batch may hold one of these messages and wait for another: retried when chosen
    const result = await retryOnDeadlock(() =>
      db.rawQuery(
        `WITH input AS (
         SELECT * FROM unnest(?::uuid[], ?::uuid[], ?::text[], ?::uuid[], ?::text[], ?::text[],
                              ?::text[], ?::text[])
           AS i(id, lease_token, gateway, provider_config_id, provider_message_id, type, reason,
                details)
       ), moved AS (
         UPDATE messages m
            SET status = CASE WHEN m.status = 'sending' THEN 'sent' ELSE m.status END,
                sent_at = now(), gateway = i.gateway, provider_config_id = i.provider_config_id,
                provider_message_id = i.provider_message_id, locked_until = NULL,
                lease_token = NULL, next_attempt_at = NULL,
                last_error = CASE WHEN m.status = 'sending' THEN NULL ELSE m.last_error END,
                last_error_code = CASE WHEN m.status = 'sending' THEN NULL ELSE m.last_error_code END,
                updated_at = now()
           FROM input i
          WHERE m.id = i.id AND m.lease_token = i.lease_token
            AND m.status IN ('sending', 'delivered', 'failed')
          RETURNING m.id, m.tenant_id, m.channel, i.lease_token, i.type, i.reason, i.gateway,
                    i.details
       ), logged AS (
         INSERT INTO delivery_events (message_id, tenant_id, type, reason, gateway, details)
         SELECT id, tenant_id, type, reason, gateway, details::jsonb FROM moved
       )
       SELECT lease_token, tenant_id, channel FROM moved`,
        [
          batch.map((pending) => pending.holder.id),
          batch.map((pending) => pending.holder.lease_token),
          batch.map((pending) => pending.sent.gateway),
          batch.map((pending) => pending.sent.providerConfigId),
          batch.map((pending) => pending.sent.providerMessageId),
          batch.map((pending) => pending.event.type),
          batch.map((pending) =>
            pending.event.reason ? storableText(pending.event.reason) : null
          ),
          batch.map((pending) => storableDetails(pending.event.details)),
        ]
      )
    )
    const rows = result.rows as Array<{ lease_token: string; tenant_id: string; channel: Channel }>
    const written = new Map(
      rows.map((row) => [row.lease_token, { tenantId: row.tenant_id, channel: row.channel }])
    )
    return batch.map((pending) => written.get(pending.holder.lease_token) ?? null)
  }
}
