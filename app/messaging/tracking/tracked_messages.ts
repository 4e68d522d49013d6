import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { Channel } from '#enums/channel'
import { MessageStatus } from '#enums/message_status'
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
  provider_config_id: string | null
}

type EventKeys = Pick<
  ProviderEvent,
  'messageId' | 'providerMessageId' | 'tenantId' | 'providerConfigId'
>

type Owner = Pick<TrackedMessage, 'tenant_id' | 'provider_config_id' | 'status'>

const COLUMNS = `id, tenant_id, channel, recipient, status, opened_at, clicked_at, provider_message_id,
  provider_config_id`

/**
 * Whether an event may touch a message. One that came in on a provider
 * account (its signature checked with that account's key) only a message
 * recorded as sent through that very account: a system-wide account serves
 * every tenant, so its key alone says nothing about whose message it is. A
 * tenant's own account may also report that tenant's message whose send is
 * not recorded yet (a fast provider's callback), since it can reach no one
 * else's. One a tenant reported itself (a push report with its API key) only
 * its own.
 */
export function isReportedBy(event: Pick<EventKeys, 'tenantId' | 'providerConfigId'>, row: Owner) {
  const ownTenant = event.tenantId !== null && row.tenant_id === event.tenantId
  if (event.providerConfigId) {
    if (row.provider_config_id === event.providerConfigId) {
      return event.tenantId === null || ownTenant
    }
    return ownTenant && isAwaitingSendRecord(row)
  }
  return ownTenant
}

/**
 * A message whose send may be with a provider that has not been recorded yet
 * (the worker writes it once the provider answered): a fast provider's
 * callback can come first, and cannot show yet that the message is its own.
 */
function isAwaitingSendRecord(row: Owner) {
  return (
    row.provider_config_id === null &&
    (row.status === MessageStatus.Sending || row.status === MessageStatus.Queued)
  )
}

/**
 * Whether an event that may not touch a message could still turn out to be
 * about it: only a system account may be the sender of a message whose send
 * is not recorded yet; a tenant's account never can (isReportedBy already
 * admits its own tenant's) and a tenant's own report is simply not its own.
 */
export function mayYetBeReportedBy(
  event: Pick<EventKeys, 'tenantId' | 'providerConfigId'>,
  row: Owner
) {
  return event.providerConfigId !== null && event.tenantId === null && isAwaitingSendRecord(row)
}

/**
 * A system account's event about a message whose send is not recorded yet:
 * that account may still turn out to be the sender, so the event is neither
 * applied nor dropped but delivered again later (its caller answers 503).
 */
export const SEND_NOT_YET_RECORDED = 'send-not-yet-recorded'

/** The message an event may touch, null when it may touch none, or SEND_NOT_YET_RECORDED */
export type LockedMessage = TrackedMessage | null | typeof SEND_NOT_YET_RECORDED

/**
 * Locks, until the commit, the message each event is about (null when we have
 * none it may touch, see isReportedBy): our own id wins over the provider's
 * when both are known. Two statements for a whole batch, each locking in id
 * order. Each event's answer is its own, so one that must wait
 * (SEND_NOT_YET_RECORDED) does not hold back the rest of its batch.
 */
export async function lockTrackedMessages(
  trx: TransactionClientContract,
  events: EventKeys[]
): Promise<LockedMessage[]> {
  const byId = await lock(
    trx,
    'id',
    'uuid',
    events.map((event) => event.messageId)
  )
  const found = events.map((event): LockedMessage => {
    const row = event.messageId ? byId.get(event.messageId)?.[0] : undefined
    if (!row) return null
    if (isReportedBy(event, row)) return row
    if (mayYetBeReportedBy(event, row)) return SEND_NOT_YET_RECORDED
    return null
  })

  const unmatched = events.filter(
    (event, index) => found[index] === null && event.providerMessageId
  )
  if (unmatched.length === 0) return found
  const byProviderId = await lock(
    trx,
    'provider_message_id',
    'text',
    unmatched.map((event) => event.providerMessageId)
  )
  return events.map((event, index) => {
    if (found[index] !== null || !event.providerMessageId) return found[index]
    const rows = byProviderId.get(event.providerMessageId) ?? []
    return rows.find((row) => isReportedBy(event, row)) ?? null
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
