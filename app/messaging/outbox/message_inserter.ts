import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { MessageStatus } from '#enums/message_status'
import type { NewMessage } from '#messaging/outbox/message_records'
import { unnestInsert } from '#messaging/outbox/unnest_insert'

/**
 * Writes accepted messages and their first events, one multi-row INSERT each,
 * in the caller's transaction. Idempotent inserts skip the rows whose key the
 * tenant already used; returns the messages actually written.
 */
export async function insertMessageRows(
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
