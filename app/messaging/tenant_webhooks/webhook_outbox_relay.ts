import { setTimeout as sleep } from 'node:timers/promises'
import db from '@adonisjs/lucid/services/db'
import type { Logger } from '@adonisjs/core/logger'
import type { TenantWebhookEventType } from '#enums/tenant_webhook_event_type'
import { tenantWebhookEvent } from '#messaging/tenant_webhooks/tenant_webhook_event'
import type {
  QueuedDelivery,
  TenantWebhookQueue,
} from '#messaging/tenant_webhooks/tenant_webhook_queue'

interface OutboxRow {
  outbox_id: string
  endpoint_id: string
  event_type: TenantWebhookEventType
  event_id: string | null
  type: string
  message_id: string
  tenant_id: string
  source: string
  gateway: string | null
  reason: string | null
  details: Record<string, unknown> | null
  occurred_at: Date
  created_at: Date
  status: string
  channel: string
  recipient: string
  is_test: boolean
  first: boolean | null
}

/**
 * Rows handed over per transaction. The rows stay locked until their jobs are
 * in Redis; a second relay skips them.
 */
const BATCH_SIZE = 500

/** After a failed pass: an outage is logged once a second, not at every poll */
const RETRY_AFTER_ERROR_MS = 1_000

/**
 * How long a pass waits for Redis to take its jobs. The pass holds a pooled
 * connection, a transaction and row locks meanwhile: a Redis that hangs must
 * not pin them. Past it the pass rolls back and its rows wait for the next.
 */
const ENQUEUE_TIMEOUT_MS = 10_000

export class EnqueueAbandonedError extends Error {}

/**
 * Hands webhook_outbox rows (written by the trigger on delivery_events, in
 * the transaction of the event itself) to the tenant-webhooks queue. A row is
 * deleted in the transaction that locked it, after its job was added: a crash
 * in between leaves the row, and the next pass adds the same job id again,
 * which BullMQ ignores while that job exists. So an event is never lost, and
 * any repeat carries the same event id for the receiver to drop.
 *
 * Waiting on Redis is bounded (ENQUEUE_TIMEOUT_MS) and given up at once by
 * stop(): a pass then rolls back, so neither a hung Redis nor a shutdown
 * strands a transaction, and stop() waits for the rollback only.
 */
export class WebhookOutboxRelay {
  #stopping = new AbortController()
  #running: Promise<void> | null = null

  constructor(
    private queue: TenantWebhookQueue,
    private logger: Logger,
    private options: { intervalMs: number; enqueueTimeoutMs?: number }
  ) {}

  start() {
    this.#running ??= this.#loop()
    return this
  }

  async stop() {
    this.#stopping.abort()
    await this.#running
  }

  /** One pass: hands over up to BATCH_SIZE rows; how many it handed. */
  async relay(): Promise<number> {
    return db.transaction(async (trx) => {
      const { rows }: { rows: OutboxRow[] } = await trx.rawQuery(
        `WITH picked AS (
           SELECT id, endpoint_id, delivery_event_id, event_type FROM webhook_outbox
            ORDER BY id
            LIMIT ?
              FOR UPDATE SKIP LOCKED
         )
         SELECT p.id AS outbox_id, p.endpoint_id, p.event_type, e.id AS event_id, e.type,
                e.message_id, e.tenant_id, e.source, e.gateway, e.reason, e.details,
                e.occurred_at, e.created_at, m.status, m.channel, m.recipient, m.is_test,
                CASE WHEN e.type IN ('opened', 'clicked') THEN NOT EXISTS (
                  SELECT 1 FROM delivery_events earlier
                   WHERE earlier.message_id = e.message_id AND earlier.type = e.type
                     AND earlier.id < e.id
                ) END AS first
           FROM picked p
           LEFT JOIN delivery_events e ON e.id = p.delivery_event_id
           LEFT JOIN messages m ON m.id = e.message_id
          ORDER BY p.id`,
        [BATCH_SIZE]
      )
      if (rows.length === 0) return 0
      // An event archived before it was handed over has nothing left to send
      await this.#enqueue(rows.filter((row) => row.event_id && row.status).map(delivery))
      await trx.rawQuery('DELETE FROM webhook_outbox WHERE id = ANY(?::bigint[])', [
        rows.map((row) => row.outbox_id),
      ])
      return rows.length
    })
  }

  /**
   * Rejects when the deadline passes or the relay stops, whatever Redis does.
   * A late addBulk may still land its jobs: the next pass adds the same job
   * ids, which BullMQ ignores while they exist.
   */
  #enqueue(deliveries: QueuedDelivery[]) {
    const timeoutMs = this.options.enqueueTimeoutMs ?? ENQUEUE_TIMEOUT_MS
    const signal = AbortSignal.any([this.#stopping.signal, AbortSignal.timeout(timeoutMs)])
    return new Promise<void>((resolve, reject) => {
      const abandon = () =>
        reject(
          new EnqueueAbandonedError(
            this.#stopping.signal.aborted
              ? 'stopping: the events stay in the outbox'
              : `Redis did not take the jobs within ${timeoutMs} ms: the events stay in the outbox`
          )
        )
      if (signal.aborted) return abandon()
      signal.addEventListener('abort', abandon, { once: true })
      this.queue
        .enqueue(deliveries)
        .then(resolve, reject)
        .finally(() => signal.removeEventListener('abort', abandon))
    })
  }

  async #loop() {
    const signal = this.#stopping.signal
    while (!signal.aborted) {
      let pause = this.options.intervalMs
      try {
        // A full batch: more may be waiting, go on at once
        if ((await this.relay()) === BATCH_SIZE) pause = 0
      } catch (error) {
        if (signal.aborted) return
        // PostgreSQL or Redis away: the rows wait in the outbox until they are back
        this.logger.warn({ err: error }, 'tenant webhook outbox: could not hand events over')
        pause = Math.max(this.options.intervalMs, RETRY_AFTER_ERROR_MS)
      }
      if (pause > 0) await sleep(pause, undefined, { signal }).catch(() => {})
    }
  }
}

function delivery(row: OutboxRow): QueuedDelivery {
  const event = tenantWebhookEvent(row.event_type, {
    id: row.event_id!,
    type: row.type,
    messageId: row.message_id,
    tenantId: row.tenant_id,
    source: row.source,
    gateway: row.gateway,
    reason: row.reason,
    details: row.details,
    occurredAt: row.occurred_at,
    createdAt: row.created_at,
    status: row.status,
    channel: row.channel,
    recipient: row.recipient,
    test: row.is_test,
    first: row.first,
  })
  // The outbox row in the key: a replay is a new row, so a new job, with the same event id
  return {
    key: `${row.endpoint_id}.${event.id}.${row.outbox_id}`,
    payload: { endpointId: row.endpoint_id, event },
  }
}
