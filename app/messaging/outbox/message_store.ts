import db from '@adonisjs/lucid/services/db'
import type { Priority } from '#enums/priority'
import { MessageStatus, CANCELABLE_STATUSES } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import type {
  AcceptCharge,
  ClaimedMessage,
  EventNote,
  LeaseHolder,
  NewMessage,
  SentRecord,
} from '#messaging/outbox/message_records'
import { SentWriter } from '#messaging/outbox/sent_writer'
import { MessageClaimer } from '#messaging/outbox/message_claimer'
import { LeaseExtender } from '#messaging/outbox/lease_extender'
import { insertMessageRows } from '#messaging/outbox/message_inserter'
import {
  FAILED_ASSIGNMENTS,
  eventColumns,
  heldBy,
  transition,
} from '#messaging/outbox/message_transitions'

// The store's callers name these shapes through it; the files that build the store import them directly.
export type {
  AcceptCharge,
  ClaimedMessage,
  EventNote,
  FallbackStep,
  LeaseHolder,
  NewMessage,
  SentRecord,
  WrittenMessage,
} from '#messaging/outbox/message_records'

type Cancellation = { canceled: true } | { canceled: false; status: MessageStatus | null }

/**
 * Every write to `messages` and the events that go with it. Each state change
 * and its event are one statement (a CTE), so the log never disagrees with the
 * row and a worker spends one round trip per step.
 */
export class MessageStore {
  #sentWriter = new SentWriter()
  #claimer = new MessageClaimer()
  #leases = new LeaseExtender()

  /**
   * Insert one message and its first event, unless the tenant already used its
   * idempotency key: then the existing row is returned with created = false,
   * and nothing is charged.
   */
  async insertIdempotent(message: NewMessage, charge?: AcceptCharge) {
    return db.transaction(async (trx) => {
      const inserted = await insertMessageRows(trx, [message], true)
      if (inserted.length > 0) {
        await charge?.(trx, 1)
        return { created: true, id: message.id, requestHash: message.requestHash }
      }
      const existing = await trx
        .from('messages')
        .select('id', 'request_hash')
        .where('tenant_id', message.tenantId)
        .where('idempotency_key', message.idempotencyKey!)
        .firstOrFail()
      return { created: false, id: existing.id as string, requestHash: existing.request_hash }
    })
  }

  /**
   * Insert many messages and their first events in one transaction, one
   * multi-row INSERT per chunk. The charge, for `charged` of them, is taken
   * first: a refused batch writes nothing.
   */
  async insertMany(
    messages: NewMessage[],
    chunkSize: number,
    charge?: { take: AcceptCharge; charged: number }
  ) {
    await db.transaction(async (trx) => {
      if (charge && charge.charged > 0) await charge.take(trx, charge.charged)
      for (let start = 0; start < messages.length; start += chunkSize) {
        await insertMessageRows(trx, messages.slice(start, start + chunkSize), false)
      }
    })
  }

  /**
   * Insert many messages that carry idempotency keys, in one transaction, one
   * multi-row INSERT per chunk. Rows whose key the tenant already used are
   * skipped; returns the messages actually written.
   */
  async insertManyIdempotent(messages: NewMessage[], chunkSize: number) {
    return db.transaction(async (trx) => {
      const written: NewMessage[] = []
      for (let start = 0; start < messages.length; start += chunkSize) {
        written.push(
          ...(await insertMessageRows(trx, messages.slice(start, start + chunkSize), true))
        )
      }
      return written
    })
  }

  /**
   * Take a message for sending: it must be queued, due if scheduled, or a
   * `sending` whose lease ran out (its worker died). Null means someone else
   * holds it or it was canceled. Each claim gets a fresh lease token, which
   * makes the writes of any earlier holder match nothing. The suppression
   * re-check rides along (an erased message, whose recipient is a tombstone
   * no hash matches, counts as suppressed), and the claims of one turn of the
   * event loop share one statement.
   */
  async claim(id: string, leaseSeconds: number): Promise<ClaimedMessage | null> {
    return this.#claimer.claim(id, leaseSeconds)
  }

  /**
   * Push the lease of a send still running `leaseSeconds` further. False when
   * it is no longer this holder's to extend: the message was taken over or
   * released, or a callback already settled it, and the holder must not send
   * it again. The extensions of one turn of the event loop share a statement.
   */
  async extendLease(holder: LeaseHolder, leaseSeconds: number): Promise<boolean> {
    return this.#leases.extend(holder, leaseSeconds)
  }

  /**
   * Record the gateway's acceptance (batched with the other sends of this
   * turn of the event loop; see SentWriter). Null when the lease was lost.
   */
  async markSent(holder: LeaseHolder, sent: SentRecord, event: EventNote) {
    return this.#sentWriter.write(holder, sent, event)
  }

  /** A final failure (or suppression at send time) of the attempt `holder` runs. */
  async markFailed(
    holder: LeaseHolder,
    status: MessageStatus.Failed | MessageStatus.Suppressed,
    error: { message: string; code: string | null },
    event: EventNote
  ) {
    return transition(
      holder.id,
      FAILED_ASSIGNMENTS,
      [status, error.message, error.code],
      heldBy(holder),
      event
    )
  }

  /**
   * A final failure after the queue gave up on the message's job. It is
   * failed only if no attempt holds it: queued (handed back), or `sending`
   * under a lease that ran out. A live lease belongs to a worker that will
   * still record its outcome.
   */
  async markAbandoned(
    id: string,
    error: { message: string; code: string | null },
    event: EventNote
  ) {
    return transition(
      id,
      FAILED_ASSIGNMENTS,
      [MessageStatus.Failed, error.message, error.code],
      {
        sql: `(status = 'queued' OR (status = 'sending' AND locked_until < now()))`,
        bindings: [],
      },
      event
    )
  }

  /** Hand a message back to its queue to be tried again at `at`. */
  async requeue(
    holder: LeaseHolder,
    at: Date,
    error: { message: string; code: string | null } | null,
    event: EventNote
  ) {
    return transition(
      holder.id,
      `status = 'queued', locked_until = NULL, lease_token = NULL, next_attempt_at = ?,
       last_error = COALESCE(?, last_error), last_error_code = COALESCE(?, last_error_code)`,
      [at, error?.message ?? null, error?.code ?? null],
      heldBy(holder),
      event
    )
  }

  /**
   * A rate limit deferred the message: back to `queued` until `at`, and the
   * claim's attempt is given back (a throttled message has not been tried).
   */
  async defer(holder: LeaseHolder, at: Date, event: EventNote) {
    return transition(
      holder.id,
      `status = 'queued', locked_until = NULL, lease_token = NULL, next_attempt_at = ?,
       attempts = attempts - 1`,
      [at],
      heldBy(holder),
      event
    )
  }

  /** An event that changes nothing on the row (a failover, a fallback). */
  async note(id: string, event: EventNote) {
    await db.rawQuery(
      `INSERT INTO delivery_events (message_id, tenant_id, type, reason, gateway, details)
       SELECT id, tenant_id, ?, ?, ?, ? FROM messages WHERE id = ?`,
      [...eventColumns(event), id]
    )
  }

  async cancel(tenantId: string, id: string): Promise<Cancellation> {
    const changed = await transition(
      id,
      `status = 'canceled', canceled_at = now(), next_attempt_at = NULL`,
      [],
      { sql: 'status = ANY(?) AND tenant_id = ?', bindings: [CANCELABLE_STATUSES, tenantId] },
      { type: DeliveryEventType.Canceled, reason: 'canceled by API request' }
    )
    if (changed) {
      return { canceled: true }
    }
    const row = await db
      .from('messages')
      .select('status')
      .where('id', id)
      .where('tenant_id', tenantId)
      .first()
    return { canceled: false, status: row?.status ?? null }
  }

  /**
   * Cancel up to `limit` queued messages of one priority accepted before
   * `acceptedBefore`, with their `canceled` events, in one statement. Rows a
   * worker is claiming right now are skipped (the claim wins). Returns the ids
   * canceled.
   */
  async cancelQueued(
    priority: Priority,
    acceptedBefore: Date,
    limit: number,
    reason: string
  ): Promise<string[]> {
    const result = await db.rawQuery(
      `WITH picked AS (
         SELECT id FROM messages
          WHERE priority = ? AND status = 'queued' AND created_at <= ?
          ORDER BY id
          LIMIT ?
          FOR UPDATE SKIP LOCKED
       ), moved AS (
         UPDATE messages m
            SET status = 'canceled', canceled_at = now(), next_attempt_at = NULL, updated_at = now()
           FROM picked
          WHERE m.id = picked.id
          RETURNING m.id, m.tenant_id
       ), logged AS (
         INSERT INTO delivery_events (message_id, tenant_id, type, reason)
         SELECT id, tenant_id, ?, ? FROM moved
       )
       SELECT id FROM moved`,
      [priority, acceptedBefore, limit, DeliveryEventType.Canceled, reason]
    )
    return (result.rows as Array<{ id: string }>).map((row) => row.id)
  }
}
