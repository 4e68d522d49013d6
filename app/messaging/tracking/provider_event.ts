import type { DeliveryEventType } from '#enums/delivery_event_type'
import type { GatewayType } from '#enums/gateway_type'
import { MalformedWebhookException } from '#exceptions/webhook_exceptions'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'

/**
 * The vendor whose webhook (or push client app) reported the event, by its
 * provider type's string; `test`: the delivery simulated for a test key's
 * message (test_deliveries.ts).
 */
export type ProviderEventSource = `${GatewayType}` | 'test'

/**
 * One thing a provider (or a push client app) told us about one message, in
 * our own terms: every webhook parser maps its vendor's statuses onto this.
 */
export interface ProviderEvent {
  source: ProviderEventSource
  /** The provider config the webhook came in on; null for push client reports */
  providerConfigId: string | null
  /**
   * Only this tenant's messages may match: set when the webhook came through
   * a tenant's own provider account or from the tenant itself.
   */
  tenantId: string | null
  /** The provider's id of this event, unique per source: the de-duplication key */
  providerEventId: string
  /** The provider's id of the message (messages.provider_message_id) */
  providerMessageId: string | null
  /** Our message id, when the provider echoes it back (a tag, a callback URL parameter) */
  messageId: string | null
  type: DeliveryEventType
  occurredAt: Date
  reason: string | null
  /** The provider's error or bounce code; becomes the message's last_error_code on failure */
  code: string | null
  recipient: string | null
  /** What else is worth keeping next to the raw payload (a clicked URL, an SMTP reply) */
  details: Record<string, unknown>
  /** The provider's payload as received */
  payload: unknown
}

export type ProviderEventContext = Pick<ProviderEvent, 'providerConfigId' | 'tenantId'>

/**
 * What an account's events may touch: the messages sent through that account
 * (and, for a tenant's account, of that tenant); see isReportedBy.
 */
export function eventContextOf(account: ProviderAccount<unknown>): ProviderEventContext {
  return { providerConfigId: account.config.id, tenantId: account.config.tenantId }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Our message id from a value a provider echoed back, or null when it cannot
 * be one (another system's tag on a shared provider account, say).
 */
export function messageIdFrom(value: unknown): string | null {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : null
}

/** A provider's Unix timestamp in seconds (Postal sends fractions), or now when absent. */
export function dateFromUnixSeconds(value: unknown) {
  return typeof value === 'number' && Number.isFinite(value) ? new Date(value * 1000) : new Date()
}

/** An ISO 8601 timestamp, or now when absent or unreadable. */
export function dateFromIso(value: unknown) {
  const date = typeof value === 'string' ? new Date(value) : null
  return date && !Number.isNaN(date.getTime()) ? date : new Date()
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function stringOrNull(value: unknown) {
  return typeof value === 'string' && value !== '' ? value : null
}

/**
 * Provider ids are short: a Twilio SID has 34 characters, an SES message id
 * about 60, a Postal Message-ID well under 255. A longer one is no provider's,
 * and would not fit the indexes that find messages and events by it.
 */
const MAX_PROVIDER_ID_LENGTH = 255

/** A provider's id of a message or an event (a number reads as its digits), or null when absent. */
export function providerIdOrNull(value: unknown) {
  const id =
    typeof value === 'number' && Number.isFinite(value) ? String(value) : stringOrNull(value)
  if (id !== null && id.length > MAX_PROVIDER_ID_LENGTH) {
    throw new MalformedWebhookException(
      `A provider id longer than ${MAX_PROVIDER_ID_LENGTH} characters is not one`
    )
  }
  return id
}
