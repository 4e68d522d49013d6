import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import type { ApiClient } from '@japa/api-client'

/** DELETE /api/v1/recipients/:address; the raw reply. */
export function eraseThroughApi(
  client: ApiClient,
  headers: Record<string, string>,
  address: string
) {
  return client.delete(`/api/v1/recipients/${encodeURIComponent(address)}`).headers(headers)
}

/** An archive folder of the test's own, set as ARCHIVE_DIR until `restore` is called. */
export async function temporaryArchiveDir() {
  const root = await mkdtemp(join(tmpdir(), 'switchboard-erasure-'))
  const configured = app.config.get<string>('messaging.archive.dir')
  app.config.set('messaging.archive.dir', root)
  return { root, restore: () => app.config.set('messaging.archive.dir', configured) }
}

/** `table` → how many of its rows hold `text` (any case), for every table in the database. */
export async function tablesHolding(text: string) {
  const tables = await db
    .from('information_schema.tables')
    .where('table_schema', 'public')
    .where('table_type', 'BASE TABLE')
    .select('table_name')
  const found: Record<string, number> = {}
  for (const { table_name: table } of tables) {
    const result = await db.rawQuery(
      `SELECT count(*) AS n FROM ${table} x WHERE x::text ILIKE '%' || ? || '%'`,
      [text]
    )
    const count = Number(result.rows[0].n)
    if (count > 0) found[table] = count
  }
  return found
}

/** Archive files under `root` whose unzipped text holds `text` (any case). */
export async function archiveFilesHolding(root: string, text: string) {
  const names = await readdir(root, { recursive: true })
  const holding: string[] = []
  for (const name of names.filter((entry) => entry.endsWith('.gz'))) {
    const content = gunzipSync(await readFile(join(root, name))).toString('utf8')
    if (content.toLowerCase().includes(text.toLowerCase())) holding.push(name)
  }
  return holding
}

/** Redis keys (of this test run's index) whose value holds `text`. */
export async function redisKeysHolding(text: string) {
  const holding: string[] = []
  for (const key of await redis.keys('*')) {
    const type = await redis.type(key)
    const value =
      type === 'string'
        ? await redis.get(key)
        : type === 'hash'
          ? JSON.stringify(await redis.hgetall(key))
          : type === 'list'
            ? JSON.stringify(await redis.lrange(key, 0, -1))
            : type === 'set'
              ? JSON.stringify(await redis.smembers(key))
              : type === 'zset'
                ? JSON.stringify(await redis.zrange(key, 0, -1))
                : ''
    if (`${key} ${value}`.toLowerCase().includes(text.toLowerCase())) holding.push(key)
  }
  return holding
}

function emailRow(id: string, tenantId: string, recipient: string, body: string) {
  return {
    id,
    tenant_id: tenantId,
    channel: 'email',
    priority: 'P2',
    message_type: 'transactional',
    recipient,
    content: JSON.stringify({ text: body }),
  }
}

/** A queued email written straight to the table, as a row accepted just before an erasure */
export async function queuedEmail(tenantId: string, recipient: string) {
  const id = randomUUID()
  await db
    .table('messages')
    .insert({ ...emailRow(id, tenantId, recipient, 'raced'), status: 'queued' })
  return id
}

/** A message of the tenant's stored as the pipeline leaves a delivered one, with a provider's events. */
export async function deliveredEmail(
  tenantId: string,
  recipient: string,
  body: string,
  createdAt = new Date()
) {
  const id = randomUUID()
  const providerMessageId = `pm-${id}`
  await db.table('messages').insert({
    ...emailRow(id, tenantId, recipient, body),
    recipient_domain: recipient.slice(recipient.indexOf('@') + 1),
    subject: `Subject for ${recipient}`,
    status: 'delivered',
    gateway: 'postal',
    provider_message_id: providerMessageId,
    attempts: 1,
    idempotency_key: `welcome-${recipient}`,
    metadata: JSON.stringify({ customer: recipient }),
    sent_at: createdAt,
    delivered_at: createdAt,
    created_at: createdAt,
    updated_at: createdAt,
  })
  await db.table('delivery_events').multiInsert([
    { message_id: id, tenant_id: tenantId, type: 'sent', gateway: 'postal', created_at: createdAt },
    {
      message_id: id,
      tenant_id: tenantId,
      type: 'delivered',
      source: 'postal',
      provider_message_id: providerMessageId,
      reason: `accepted for ${recipient.toUpperCase()}`,
      details: JSON.stringify({ recipient }),
      payload: JSON.stringify({ rcpt_to: recipient, body }),
      created_at: createdAt,
    },
  ])
  // A callback that came before its message was known
  await db.table('delivery_events').insert({
    tenant_id: tenantId,
    type: 'opened',
    source: 'postal',
    provider_message_id: providerMessageId,
    payload: JSON.stringify({ rcpt_to: recipient }),
  })
  return { id, providerMessageId }
}

/** An inbound email from `from`, in a conversation with its contact, as the inbound recorder stores it. */
export async function inboundEmail(tenantId: string, from: string, body: string) {
  const [contact] = await db
    .table('contacts')
    .insert({ tenant_id: tenantId, channel: 'email', address: from, display_name: 'Ada Person' })
    .returning('id')
  const [conversation] = await db
    .table('conversations')
    .insert({ tenant_id: tenantId, contact_id: contact.id, channel: 'email' })
    .returning('id')
  const id = randomUUID()
  await db.table('messages').insert({
    id,
    tenant_id: tenantId,
    direction: 'inbound',
    channel: 'email',
    priority: 'P4',
    message_type: 'inbound',
    recipient: 'support@tenant.example',
    recipient_domain: 'tenant.example',
    subject: `Re: ${body}`,
    content: JSON.stringify({ text: body }),
    status: 'delivered',
    metadata: JSON.stringify({ from, fromName: 'Ada Person' }),
    conversation_id: conversation.id,
  })
  return { id, contactId: contact.id as string, conversationId: conversation.id as string }
}
