import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Channel } from '#enums/channel'
import type { MessageStatus } from '#enums/message_status'
import type { ProviderEvent } from '#messaging/tracking/provider_event'

/** What the tracker reads of a message, under its row lock. */
export interface TrackedMessage {
  id: string
  tenant_id: string
  channel: Channel
  recipient: string
  status: MessageStatus
  opened_at: Date | null
  clicked_at: Date | null
  provider_message_id: string | null
}

type EventKeys = Pick<ProviderEvent, 'messageId' | 'providerMessageId' | 'tenantId'>

const COLUMNS = `id, tenant_id, channel, recipient, status, opened_at, clicked_at, provider_message_id`

/**
 * Locks, until the commit, the message each event is about (null when we have
 * none): our own id wins over the provider's when both are known, and an
 * event that came in on a tenant's account only matches that tenant's
 * messages. Two statements for a whole batch, each locking in id order.
 */
export async function lockTrackedMessages(
  trx: TransactionClientContract,
  events: EventKeys[]
): Promise<Array<TrackedMessage | null>> {
  const belongs = (event: EventKeys, row: TrackedMessage) =>
    !event.tenantId || row.tenant_id === event.tenantId

  const byId = await lock(
    trx,
    'id',
    'uuid',
    events.map((event) => event.messageId)
  )
  const found = events.map((event) => {
    const row = event.messageId ? byId.get(event.messageId)?.[0] : undefined
    return row && belongs(event, row) ? row : null
  })

  const unmatched = events.filter((event, index) => !found[index] && event.providerMessageId)
  if (unmatched.length === 0) return found
  const byProviderId = await lock(
    trx,
    'provider_message_id',
    'text',
    unmatched.map((event) => event.providerMessageId)
  )
  return events.map((event, index) => {
    if (found[index] || !event.providerMessageId) return found[index]
    const rows = byProviderId.get(event.providerMessageId) ?? []
    return rows.find((row) => belongs(event, row)) ?? null
  })
}

async function lock(
  trx: TransactionClientContract,
  column: 'id' | 'provider_message_id',
  type: 'uuid' | 'text',
  values: Array<string | null>
) {
  const wanted = [...new Set(values.filter((value): value is string => value !== null))]
  const rows = new Map<string, TrackedMessage[]>()
  if (wanted.length === 0) return rows
  const result = await trx.rawQuery(
    `SELECT ${COLUMNS} FROM messages WHERE ${column} = ANY(?::${type}[]) ORDER BY id FOR UPDATE`,
    [wanted]
  )
  for (const row of result.rows as TrackedMessage[]) {
    const key = column === 'id' ? row.id : row.provider_message_id!
    const matching = rows.get(key) ?? []
    matching.push(row)
    rows.set(key, matching)
  }
  return rows
}
