import db from '@adonisjs/lucid/services/db'

/**
 * Empty the message tables, for tests of work that sweeps over every
 * message (TRUNCATE is allowed on the append-only event log; row deletes are not).
 */
export async function truncateMessages() {
  await db.rawQuery('TRUNCATE messages, delivery_events, suppressions')
}

/** How many of a tenant's messages are in each status, e.g. `{ sent: 10, failed: 2 }` */
export async function statusCounts(tenantId: string): Promise<Record<string, number>> {
  const rows = await db
    .from('messages')
    .where('tenant_id', tenantId)
    .select('status')
    .count('* as count')
    .groupBy('status')
  return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]))
}

export async function messageIdsOf(tenantId: string): Promise<string[]> {
  const rows = await db.from('messages').where('tenant_id', tenantId).select('id')
  return rows.map((row) => row.id)
}

/** How many of a tenant's messages are in `status` */
export async function countInStatus(tenantId: string, status: string) {
  const counts = await statusCounts(tenantId)
  return counts[status] ?? 0
}
