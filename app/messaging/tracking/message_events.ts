import type { Channel } from '#enums/channel'
import type { Priority } from '#enums/priority'
import type { MessageStatus } from '#enums/message_status'
import type { ProviderEventSource } from '#messaging/tracking/provider_event'

/**
 * Payloads of the domain events on the AdonisJS emitter (names in
 * start/events.ts). They carry ids and facts, never model instances, so a
 * listener can hand them to a queue as they are.
 */
export interface MessageEventBase {
  messageId: string
  tenantId: string
  occurredAt: Date
}

/** Emitted by the delivery tracker for an event a provider reported. */
export interface TrackedMessageEvent extends MessageEventBase {
  /** The delivery_events row that recorded it */
  deliveryEventId: number
  source: ProviderEventSource
  /** The message's status once the event was applied */
  status: MessageStatus
}

export interface MessageQueued extends MessageEventBase {
  channel: Channel
  priority: Priority
}

export interface MessageSent extends MessageEventBase {
  channel: Channel
  gateway: string
  providerMessageId: string
  /** How long the gateway call that sent it took */
  latencyMs: number
  /** A test key's message: its gateway was a stand-in, and its delivery is simulated */
  test: boolean
}

export interface MessageDelivered extends TrackedMessageEvent {}

export interface MessageOpened extends TrackedMessageEvent {
  /** The message's first recorded open */
  first: boolean
}

export interface MessageClicked extends TrackedMessageEvent {
  first: boolean
  url: string | null
}

export interface MessageBounced extends TrackedMessageEvent {
  /** A hard bounce (suppressed at once) rather than a soft one (counted toward the threshold) */
  permanent: boolean
  recipient: string
  reason: string | null
}

export interface MessageComplained extends TrackedMessageEvent {
  recipient: string
}

export interface MessageFailed extends MessageEventBase {
  channel: Channel
  /** The gateway whose answer failed it, if one did */
  gateway: string | null
  reason: string
  code: string | null
}

/**
 * Not a tenant-facing event: a worker deferred a message because a rate limit
 * (recipient domain, gateway or tenant) had no room; it goes out at retryAt.
 */
export interface MessageThrottled extends MessageEventBase {
  channel: Channel
  scope: 'domain' | 'gateway' | 'tenant'
  key: string
  retryAt: Date
}
