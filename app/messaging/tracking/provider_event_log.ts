import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import type { ProviderEvent } from '#messaging/tracking/provider_event'
import {
  SEND_NOT_YET_RECORDED,
  type LockedMessage,
  type TrackedMessage,
} from '#messaging/tracking/tracked_messages'
import { unnestInsert } from '#messaging/outbox/unnest_insert'

const EVENT_COLUMNS = [
  ['message_id', 'uuid'],
  ['tenant_id', 'uuid'],
  ['type', 'text'],
  ['source', 'text'],
  ['provider_config_id', 'uuid'],
  ['provider_event_id', 'text'],
  ['provider_message_id', 'text'],
  ['reason', 'text'],
  ['details', 'jsonb'],
  ['payload', 'jsonb'],
  ['occurred_at', 'timestamptz'],
] as const

/** A provider's event ids are unique within its account: the de-duplication key is scoped to it */
const eventKey = (providerConfigId: string | null, source: string, providerEventId: string) =>
  `${providerConfigId ?? ''}\u0000${source}\u0000${providerEventId}`
const keyOf = (event: ProviderEvent) =>
  eventKey(event.providerConfigId, event.source, event.providerEventId)

/**
 * Appends the events in one statement; each one's row id, or null when
 * this provider event was already logged (before, or earlier in the batch).
 * One whose send is not recorded yet is not logged: the provider delivers
 * it again.
 */
export async function appendProviderEvents(
  trx: TransactionClientContract,
  events: ProviderEvent[],
  messages: LockedMessage[]
): Promise<Array<number | null>> {
  const firsts = new Map<string, { index: number; message: TrackedMessage | null }>()
  events.forEach((event, index) => {
    const key = keyOf(event)
    const message = messages[index]
    if (message !== SEND_NOT_YET_RECORDED && !firsts.has(key)) firsts.set(key, { index, message })
  })
  const rows = [...firsts.values()].map(({ index, message }) => {
    const event = events[index]
    return {
      message_id: message?.id ?? null,
      tenant_id: message?.tenant_id ?? event.tenantId,
      type: event.type,
      source: event.source,
      provider_config_id: event.providerConfigId,
      provider_event_id: event.providerEventId,
      provider_message_id: event.providerMessageId,
      reason: event.reason,
      details: JSON.stringify({
        ...event.details,
        providerConfigId: event.providerConfigId,
        recipient: event.recipient,
        code: event.code,
      }),
      payload: JSON.stringify(event.payload ?? null),
      occurred_at: event.occurredAt,
    }
  })
  const inserted = await unnestInsert(
    trx,
    'delivery_events',
    EVENT_COLUMNS,
    rows,
    `ON CONFLICT (provider_config_id, source, provider_event_id)
       WHERE provider_event_id IS NOT NULL DO NOTHING
     RETURNING id, provider_config_id, source, provider_event_id`
  )
  const ids = new Map(
    inserted.map((row) => [
      eventKey(
        row.provider_config_id as string | null,
        row.source as string,
        row.provider_event_id as string
      ),
      Number(row.id),
    ])
  )
  return events.map((event, index) => {
    const key = keyOf(event)
    return firsts.get(key)?.index === index ? (ids.get(key) ?? null) : null
  })
}
