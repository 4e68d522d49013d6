import db from '@adonisjs/lucid/services/db'
import type { ClaimedMessage } from '#messaging/outbox/message_records'
import { TurnBatch } from '#messaging/turn_batch'
import { retryOnDeadlock } from '#messaging/deadlock_retry'

/**
 * Claims messages for sending, the claims of one turn of the event loop in one
 * statement (see MessageStore.claim for what a claim takes and writes).
 */
export class MessageClaimer {
  // One claim statement at a time per worker: while it runs, the next gathers every job that starts
  #claims = new TurnBatch<{ id: string; leaseSeconds: number }, ClaimedMessage | null>(
    (requests) => this.#claimMany(requests),
    { maxInFlight: 1 }
  )

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
}
