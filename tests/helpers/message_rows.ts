import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'

/** A messages row as a test wants it: any column given, the rest a plausible delivered email */
export type MessageRow = Record<string, unknown>

/**
 * Messages written straight into the table, as history a search reads
 * (any status, any created_at, to the microsecond): their ids, in order.
 */
export async function insertMessageRows(tenantId: string, rows: MessageRow[]) {
  const full = rows.map((row) => ({
    id: randomUUID(),
    tenant_id: tenantId,
    channel: 'email',
    priority: 'P4',
    message_type: 'transactional',
    recipient: 'someone@example.com',
    subject: 'Hello',
    content: JSON.stringify({ text: 'Hello' }),
    status: 'delivered',
    ...row,
  }))
  await db.table('messages').multiInsert(full)
  return full.map((row) => row.id)
}
