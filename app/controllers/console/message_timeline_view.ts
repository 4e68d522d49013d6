import { MessageStatus } from '#enums/message_status'
import type DeliveryEvent from '#models/delivery_event'
import type Message from '#models/message'
import type User from '#models/user'
import { maskedValue } from '#messaging/audit/audit_snapshot'
import { isErasedMarker } from '#messaging/erasure/redaction'
import { shownTime, type ShownTime } from '#controllers/console/shown_time'

/** After these nothing more is expected from a provider worth watching for: the page stops polling */
const SETTLED_STATUSES: MessageStatus[] = [
  MessageStatus.Delivered,
  MessageStatus.Failed,
  MessageStatus.Canceled,
  MessageStatus.Suppressed,
]

interface Fact {
  label: string
  value: string
}

/** One line of the timeline */
export interface TimelineEvent {
  id: number
  type: DeliveryEvent['type']
  at: ShownTime
  /** Who recorded it: Switchboard itself, or the provider (or test delivery) that reported it */
  origin: string
  gateway: string | null
  reason: string | null
  /** The provider's response or error code */
  code: string | null
  providerMessageId: string | null
  /** The channel fallback this failure started */
  fallbackMessageId: string | null
  facts: Fact[]
  /** Its details and payload were erased with the recipient */
  erased: boolean
  /** The provider's payload, secrets masked, pretty-printed: operators only */
  payload: string | null
}

export interface Timeline {
  messageId: string
  status: MessageStatus
  events: TimelineEvent[]
  /** Not settled yet: the fragment asks again every few seconds */
  polling: boolean
}

const formatters: Record<string, { label: string; format?: (value: unknown) => string | null }> = {
  latencyMs: { label: 'Gateway call', format: (value) => `${value} ms` },
  attempt: { label: 'Attempt' },
  nextAttemptAt: {
    label: 'Next attempt',
    format: (value) => (typeof value === 'string' ? value.replace('T', ' ').slice(0, 19) : null),
  },
  errorClass: { label: 'Error class' },
  smtpResponse: { label: 'SMTP reply' },
  url: { label: 'Link' },
  test: { label: 'Test', format: () => 'simulated, no vendor was called' },
  route: {
    label: 'Route',
    format: (value) =>
      listOf(value, (option) => `${option.gateway} (score ${Number(option.score).toFixed(2)})`),
  },
  skipped: {
    label: 'Skipped',
    format: (value) => listOf(value, (it) => `${it.key}: ${it.reason}`),
  },
}

/** Details shown in a line's own place, or of no use to a reader */
const NOT_FACTS = new Set([
  'code',
  'providerConfigId',
  'providerMessageId',
  'fallbackMessageId',
  'recipient',
  'channel',
  'messageId',
  'scope',
  'key',
])

function listOf(value: unknown, item: (entry: Record<string, unknown>) => string) {
  if (!Array.isArray(value) || value.length === 0) return null
  return value.map((entry) => item(entry ?? {})).join(', ')
}

function scalarText(value: unknown) {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : null
}

/** `smtpResponse` → `Smtp response` */
function labelOf(key: string) {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ')
  return words.charAt(0).toUpperCase() + words.slice(1).toLowerCase()
}

function factsOf(details: Record<string, unknown>): Fact[] {
  return Object.entries(details).flatMap(([key, value]) => {
    if (NOT_FACTS.has(key) || value === null || value === undefined) return []
    const formatter = formatters[key]
    const text = formatter?.format ? formatter.format(value) : scalarText(value)
    return text === null ? [] : [{ label: formatter?.label ?? labelOf(key), value: text }]
  })
}

function originOf(source: string) {
  if (source === 'internal') return 'Switchboard'
  if (source === 'test') return 'Test delivery'
  return `${source} callback`
}

function payloadOf(event: DeliveryEvent, viewer: User) {
  if (!viewer.isOperator || event.payload === null || event.payload === undefined) return null
  return JSON.stringify(maskedValue(event.payload), null, 2)
}

function timelineEvent(event: DeliveryEvent, viewer: User): TimelineEvent {
  const erased = isErasedMarker(event.details) || isErasedMarker(event.payload)
  const details = erased ? {} : (event.details ?? {})
  return {
    id: event.id,
    type: event.type,
    at: shownTime(event.occurredAt)!,
    origin: originOf(event.source),
    gateway: event.gateway,
    reason: event.reason,
    code: scalarText(details.code),
    providerMessageId: event.providerMessageId ?? scalarText(details.providerMessageId),
    fallbackMessageId: scalarText(details.fallbackMessageId),
    facts: factsOf(details),
    erased,
    payload: erased ? null : payloadOf(event, viewer),
  }
}

/** The timeline of a message loaded with its events (ShowMessage), as `viewer` may see it. */
export function timelineOf(message: Message, viewer: User): Timeline {
  return {
    messageId: message.id,
    status: message.status,
    events: message.events.map((event) => timelineEvent(event, viewer)),
    polling: !SETTLED_STATUSES.includes(message.status),
  }
}
