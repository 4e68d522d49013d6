import db from '@adonisjs/lucid/services/db'
import type { LeaseHolder } from '#messaging/outbox/message_records'
import { TurnBatch } from '#messaging/turn_batch'
import { retryOnDeadlock } from '#messaging/deadlock_retry'

/**
 * Extends the leases of sends still running, the extensions of one tick of
 * every running send in one statement (see MessageStore.extendLease).
 */
export class LeaseExtender {
  #extensions = new TurnBatch<{ holder: LeaseHolder; leaseSeconds: number }, boolean>(
    (requests) => this.#extendMany(requests),
    { maxInFlight: 1 }
  )

  async extend(holder: LeaseHolder, leaseSeconds: number): Promise<boolean> {
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
}
