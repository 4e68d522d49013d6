import db from '@adonisjs/lucid/services/db'

/**
 * Empty the message tables, for tests of work that sweeps over every
 * message (TRUNCATE is allowed on the append-only event log; row deletes are not).
 */
export async function truncateMessages() {
  await db.rawQuery('TRUNCATE messages, delivery_events, suppressions')
}
