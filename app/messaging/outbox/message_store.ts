import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Channel } from '#enums/channel'
import type { Priority } from '#enums/priority'
import { MessageStatus, CANCELABLE_STATUSES } from '#enums/message_status'
import { DeliveryEventType } from '#enums/delivery_event_type'
import type { MessageContent } from '#models/message'
import { SentWriter } from '#messaging/outbox/sent_writer'
import { TurnBatch } from '#messaging/turn_batch'
import { retryOnDeadlock } from '#messaging/deadlock_retry'
import { unnestInsert } from '#messaging/outbox/unnest_insert'
import { storableDetails, storableText } from '#messaging/outbox/storable_text'

/** A message as written at accept time. */
export interface NewMessage {
  id: string
  tenantId: string
  channel: Channel
  priority: Priority
  messageType: string
  recipient: string
  recipientDomain: string | null
  subject: string | null
  content: MessageContent
  status: MessageStatus.Queued | MessageStatus.Scheduled | MessageStatus.Suppressed
  scheduledAt: Date | null
  idempotencyKey: string | null
  requestHash: string | null
  sourceType: string | null
  sourceId: string | null
  metadata: Record<string, unknown>
  /** The conversation a reply belongs to */
  conversationId?: string | null
  /** The message this one was made from (a retry or a fallback of a failed one) */
  parentMessageId?: string | null
  /** Channels to try in turn if this one fails for good */
  fallback?: FallbackStep[] | null
  /** Accepted with a test key: runs the pipeline without any vendor call */
  test?: boolean
}

/**
 * Counts the messages an insert wrote against their tenant's quotas, in the
 * insert's transaction; it throws to refuse them, and the insert rolls back.
 */
export type AcceptCharge = (trx: TransactionClientContract, count: number) => Promise<void>

/** The next channel (and that channel's recipient) to try after a final failure. */
export interface FallbackStep {
  channel: Channel
  recipient: string
}

/** The columns the worker needs once it holds a message. */
export interface ClaimedMessage {
  id: string
  tenant_id: string
  channel: Channel
  priority: Priority
  recipient: string
  recipient_domain: string | null
  subject: string | null
  content: MessageContent
  metadata: Record<string, unknown>
  message_type: string
  fallback: FallbackStep[] | null
  attempts: number
  suppressed: boolean
  is_test: boolean
  /** This claim's lease: every later write of the attempt must carry it */
  lease_token: string
}

/** A claimed message as its attempt's writes name it: its id and its lease token. */
export type LeaseHolder = Pick<ClaimedMessage, 'id' | 'lease_token'>

export interface SentRecord {
  gateway: string
  providerConfigId: string | null
  providerMessageId: string
}

/** The message a write changed; a write that changed nothing answers null instead. */
export interface WrittenMessage {
  tenantId: string
  channel: Channel
}

export interface EventNote {
  type: DeliveryEventType
  reason?: string | null
  gateway?: string | null
  details?: Record<string, unknown> | null
}

type Cancellation = { canceled: true } | { canceled: false; status: MessageStatus | null }

/**
 * Every write to `messages` and the events that go with it. Each state change
 * and its event are one statement (a CTE), so the log never disagrees with the
 * row and a worker spends one round trip per step.
 */
export class MessageStore {
  #sentWriter = new SentWriter()
  // One claim statement at a time per worker: while it runs, the next gathers every job that starts
  #claims = new TurnBatch<{ id: string; leaseSeconds: number }, ClaimedMessage | null>(
    (requests) => this.#claimMany(requests),
    { maxInFlight: 1 }
  )
  // The extensions of one tick of every running send share one statement too
  #extensions = new TurnBatch<{ holder: LeaseHolder; leaseSeconds: number }, boolean>(
    (requests) => this.#extendMany(requests),
    { maxInFlight: 1 }
  )

  /**
   * Insert one message and its first event, unless the tenant already used its
   * idempotency key: then the existing row is returned with created = false,
   * and nothing is charged.
   */
  async insertIdempotent(message: NewMessage, charge?: AcceptCharge) {
    return db.transaction(async (trx) => {
      const inserted = await this.insertRows(trx, [message], true)
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
        await this.insertRows(trx, messages.slice(start, start + chunkSize), false)
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
          ...(await this.insertRows(trx, messages.slice(start, start + chunkSize), true))
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
    return this.#claims.add({ id, leaseSeconds })
  }

  async #claimMany(requests: Array<{ id: string; leaseSeconds: number }>) {
    // A webhook batch may hold one of these messages and wait for another: retried when chosen
    const result = await retryOnDeadlock(() =>
      db.rawQuery(
        `WITH input AS (
         SELECT * FROM unnest(?::uuid[], ?::int[]) AS i(id, lease_seconds)
       ), claimed AS (
         UPDATE messages m
            SET status = 'sending', attempts = m.attempts + 1, updated_at = now(),
                locked_until = now() + make_interval(secs => i.lease_seconds),
                lease_token = gen_random_uuid()
           FROM input i
          WHERE m.id = i.id
            AND (m.status = 'queued'
                 OR (m.status = 'scheduled' AND m.scheduled_at <= now())
                 OR (m.status = 'sending' AND m.locked_until < now()))
          RETURNING m.id, m.tenant_id, m.channel, m.priority, m.recipient, m.recipient_domain,
                    m.subject, m.content, m.metadata, m.message_type, m.fallback, m.attempts,
                    m.lease_token, m.is_test, m.erased_at
       ), logged AS (
         INSERT INTO delivery_events (message_id, tenant_id, type, details)
         SELECT id, tenant_id, 'sending',
                jsonb_build_object('attempt', attempts)
                  || CASE WHEN is_test THEN '{"test": true}'::jsonb ELSE '{}'::jsonb END
           FROM claimed
       )
       SELECT claimed.*, claimed.erased_at IS NOT NULL OR EXISTS (
                SELECT 1 FROM suppressions s
                 WHERE s.channel = claimed.channel
                   AND s.recipient_hash IN (
                         suppression_hash(claimed.tenant_id::text, claimed.channel, claimed.recipient),
                         suppression_hash('global', claimed.channel, claimed.recipient))
                   AND (s.tenant_id = claimed.tenant_id OR s.tenant_id IS NULL)
                   AND (s.expires_at IS NULL OR s.expires_at > now())
              ) AS suppressed
         FROM claimed`,
        [requests.map((request) => request.id), requests.map((request) => request.leaseSeconds)]
      )
    )
    const claimed = new Map((result.rows as ClaimedMessage[]).map((row) => [row.id, row] as const))
    // The same id twice in a batch (a stalled job run again) is one claim: the first caller gets it
    return requests.map((request) => {
      const row = claimed.get(request.id) ?? null
      claimed.delete(request.id)
      return row
    })
  }

  /**
   * Push the lease of a send still running `leaseSeconds` further. False when
   * it is no longer this holder's to extend: the message was taken over or
   * released, or a callback already settled it, and the holder must not send
   * it again. The extensions of one turn of the event loop share a statement.
   */
  async extendLease(holder: LeaseHolder, leaseSeconds: number): Promise<boolean> {
    return this.#extensions.add({ holder, leaseSeconds })
  }

  async #extendMany(requests: Array<{ holder: LeaseHolder; leaseSeconds: number }>) {
    const result = await retryOnDeadlock(() =>
      db.rawQuery(
        `UPDATE messages m
            SET locked_until = now() + make_interval(secs => i.lease_seconds)
           FROM unnest(?::uuid[], ?::uuid[], ?::int[]) AS i(id, lease_token, lease_seconds)
          WHERE m.id = i.id AND m.lease_token = i.lease_token AND m.status = 'sending'
          RETURNING m.id`,
        [
          requests.map((request) => request.holder.id),
          requests.map((request) => request.holder.lease_token),
          requests.map((request) => request.leaseSeconds),
        ]
      )
    )
    const held = new Set((result.rows as Array<{ id: string }>).map((row) => row.id))
    return requests.map((request) => held.has(request.holder.id))
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
    return this.transition(
      holder.id,
      FAILED,
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
    return this.transition(
      id,
      FAILED,
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
    return this.transition(
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
    return this.transition(
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
    const changed = await this.transition(
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

  /**
   * Move a message that meets `guard` to a new state and log the event, in
   * one statement. Returns the message's tenant and channel, or null when the
   * message did not meet the guard (and nothing was written).
   */
  private async transition(
    id: string,
    assignments: string,
    bindings: unknown[],
    guard: Guard,
    event: EventNote
  ): Promise<WrittenMessage | null> {
    const result = await db.rawQuery(
      `WITH moved AS (
         UPDATE messages SET ${assignments}, updated_at = now()
          WHERE id = ? AND ${guard.sql}
          RETURNING id, tenant_id, channel
       ), logged AS (
         INSERT INTO delivery_events (message_id, tenant_id, type, reason, gateway, details)
         SELECT id, tenant_id, ?, ?, ?, ? FROM moved
       )
       SELECT tenant_id, channel FROM moved`,
      [...bindings, id, ...guard.bindings, ...eventColumns(event)]
    )
    const row = result.rows[0] as { tenant_id: string; channel: Channel } | undefined
    return row ? { tenantId: row.tenant_id, channel: row.channel } : null
  }

  private async insertRows(
    trx: TransactionClientContract,
    messages: NewMessage[],
    idempotent: boolean
  ) {
    const now = new Date()
    const rows = messages.map((message) => ({
      id: message.id,
      tenant_id: message.tenantId,
      channel: message.channel,
      priority: message.priority,
      message_type: message.messageType,
      recipient: message.recipient,
      recipient_domain: message.recipientDomain,
      subject: message.subject,
      content: JSON.stringify(message.content),
      status: message.status,
      next_attempt_at:
        message.status === MessageStatus.Suppressed ? null : (message.scheduledAt ?? now),
      idempotency_key: message.idempotencyKey,
      request_hash: message.requestHash,
      scheduled_at: message.scheduledAt,
      source_type: message.sourceType,
      source_id: message.sourceId,
      metadata: JSON.stringify(message.metadata),
      conversation_id: message.conversationId ?? null,
      fallback: message.fallback?.length ? JSON.stringify(message.fallback) : null,
      parent_message_id: message.parentMessageId ?? null,
      is_test: message.test ?? false,
      created_at: now,
      updated_at: now,
    }))

    let written = messages
    if (idempotent) {
      const inserted = await unnestInsert(
        trx,
        'messages',
        MESSAGE_COLUMNS,
        rows,
        'ON CONFLICT (tenant_id, idempotency_key) DO NOTHING RETURNING id'
      )
      const insertedIds = new Set(inserted.map((row) => row.id))
      written = messages.filter((message) => insertedIds.has(message.id))
    } else {
      await unnestInsert(trx, 'messages', MESSAGE_COLUMNS, rows)
    }
    if (written.length === 0) {
      return written
    }

    await unnestInsert(
      trx,
      'delivery_events',
      EVENT_COLUMNS,
      written.map((message) => ({
        message_id: message.id,
        tenant_id: message.tenantId,
        type: message.status,
        reason: message.status === MessageStatus.Suppressed ? 'recipient is suppressed' : null,
        details: message.test ? TEST_DETAILS : null,
        occurred_at: now,
        created_at: now,
      }))
    )
    return written
  }
}

/** The columns a new message is written with, and their types */
const MESSAGE_COLUMNS = [
  ['id', 'uuid'],
  ['tenant_id', 'uuid'],
  ['channel', 'text'],
  ['priority', 'text'],
  ['message_type', 'text'],
  ['recipient', 'text'],
  ['recipient_domain', 'text'],
  ['subject', 'text'],
  ['content', 'jsonb'],
  ['status', 'text'],
  ['next_attempt_at', 'timestamptz'],
  ['idempotency_key', 'text'],
  ['request_hash', 'text'],
  ['scheduled_at', 'timestamptz'],
  ['source_type', 'text'],
  ['source_id', 'text'],
  ['metadata', 'jsonb'],
  ['conversation_id', 'uuid'],
  ['fallback', 'jsonb'],
  ['parent_message_id', 'uuid'],
  ['is_test', 'boolean'],
  ['created_at', 'timestamptz'],
  ['updated_at', 'timestamptz'],
] as const

const EVENT_COLUMNS = [
  ['message_id', 'uuid'],
  ['tenant_id', 'uuid'],
  ['type', 'text'],
  ['reason', 'text'],
  ['details', 'jsonb'],
  ['occurred_at', 'timestamptz'],
  ['created_at', 'timestamptz'],
] as const

/** The first event's details of a test key's message */
const TEST_DETAILS = JSON.stringify({ test: true })

/** The condition a message must meet for a transition to write it */
interface Guard {
  sql: string
  bindings: unknown[]
}

/** Still in the attempt of the claim that handed out this lease token */
function heldBy(holder: LeaseHolder): Guard {
  return { sql: `status = 'sending' AND lease_token = ?`, bindings: [holder.lease_token] }
}

/** A final failure ends any attempt: no lease, nothing due */
const FAILED = `status = ?, failed_at = now(), locked_until = NULL, lease_token = NULL,
  next_attempt_at = NULL, last_error = ?, last_error_code = ?`

/** An event's type, reason, gateway and details, as bound into an INSERT (never refused). */
function eventColumns(event: EventNote) {
  return [
    event.type,
    event.reason ? storableText(event.reason) : null,
    event.gateway ?? null,
    storableDetails(event.details),
  ]
}
