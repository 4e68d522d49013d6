import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { MessageChanges } from '#messaging/tracking/status_transition'

/**
 * Writes what a batch of provider events changed, one row per message (the
 * changes of its events merged in order), in one statement: a column the
 * events left alone keeps its value.
 */
export async function writeTrackedChanges(
  trx: TransactionClientContract,
  changes: Map<string, MessageChanges>
) {
  if (changes.size === 0) return
  const rows = [...changes].map(([id, change]) => ({ id, ...change }))
  const column = <Key extends keyof MessageChanges>(key: Key) => rows.map((row) => row[key] ?? null)
  await trx.rawQuery(
    `UPDATE messages m
        SET status = coalesce(c.status, m.status),
            delivered_at = coalesce(c.delivered_at, m.delivered_at),
            opened_at = coalesce(c.opened_at, m.opened_at),
            clicked_at = coalesce(c.clicked_at, m.clicked_at),
            failed_at = coalesce(c.failed_at, m.failed_at),
            last_error = coalesce(c.last_error, m.last_error),
            last_error_code = coalesce(c.last_error_code, m.last_error_code),
            locked_until = CASE WHEN c.unlock THEN NULL ELSE m.locked_until END,
            next_attempt_at = CASE WHEN c.unlock THEN NULL ELSE m.next_attempt_at END,
            updated_at = now()
       FROM unnest(?::uuid[], ?::text[], ?::timestamptz[], ?::timestamptz[], ?::timestamptz[],
                   ?::timestamptz[], ?::text[], ?::text[], ?::boolean[])
         AS c(id, status, delivered_at, opened_at, clicked_at, failed_at, last_error,
              last_error_code, unlock)
      WHERE m.id = c.id`,
    // Arrays with nulls and Dates in them: pg serializes them, knex's types do not list them
    [
      rows.map((row) => row.id),
      column('status'),
      column('delivered_at'),
      column('opened_at'),
      column('clicked_at'),
      column('failed_at'),
      column('last_error'),
      column('last_error_code'),
      rows.map((row) => row.locked_until === null),
    ] as unknown as string[][]
  )
}
