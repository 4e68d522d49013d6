import twilio from 'twilio'
import { DeliveryEventType } from '#enums/delivery_event_type'
import {
  MalformedWebhookException,
  WebhookSignatureException,
} from '#exceptions/webhook_exceptions'
import {
  TWILIO_CALLBACK_MESSAGE_ID_PARAM,
  type TwilioGatewayConfig,
} from '#messaging/vendors/twilio/gateway'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'
import {
  messageIdFrom,
  providerIdOrNull,
  stringOrNull,
  type ProviderEvent,
  type ProviderEventContext,
  eventContextOf,
} from '#messaging/tracking/provider_event'
import {
  RECEIVED,
  type StatusWebhook,
  type StatusWebhookResult,
  type WebhookRequest,
} from '#messaging/vendors/contract/vendor'

/** The status callback as Twilio posted it. */
export interface TwilioCallback {
  /** The URL Twilio called, as configured there: public base URL + path + query */
  url: string
  signature: string | undefined
  /** The form-encoded body, raw */
  rawBody: string | null
}

/** Twilio's status callbacks (form-encoded): POST …/twilio/:providerId */
export class TwilioStatusWebhook implements StatusWebhook<TwilioGatewayConfig> {
  async read(
    request: WebhookRequest,
    account: ProviderAccount<Partial<TwilioGatewayConfig>>
  ): Promise<StatusWebhookResult> {
    const event = readTwilioCallback(twilioCallbackOf(request), account)
    return { kind: 'events', events: event ? [event] : [], reply: RECEIVED }
  }
}

/**
 * Twilio signs the URL it was given, so the public one (APP_URL + path +
 * query) is checked, not the Host the request came in on: behind a proxy or a
 * tunnel they differ.
 */
export function twilioCallbackOf(request: WebhookRequest): TwilioCallback {
  return {
    url: request.url,
    signature: request.headers['x-twilio-signature'],
    rawBody: request.rawBody,
  }
}

/** Statuses before the carrier answers: logged, they move nothing. */
const PROVIDER_STATUSES: Record<string, DeliveryEventType> = {
  accepted: DeliveryEventType.Queued,
  scheduled: DeliveryEventType.Queued,
  queued: DeliveryEventType.Queued,
  sending: DeliveryEventType.Sent,
  sent: DeliveryEventType.Sent,
  delivered: DeliveryEventType.Delivered,
  read: DeliveryEventType.Opened,
}

/**
 * Error codes of undelivered/failed messages (PROVIDERS.md): 30003
 * (unreachable) is soft, 30004/30005/30006 (blocked, unknown or landline
 * destination) bounce and suppress; 30007 (filtered) and anything else fail
 * the message without suppressing.
 */
const ERROR_TYPES: Record<string, DeliveryEventType> = {
  30003: DeliveryEventType.SoftBounced,
  30004: DeliveryEventType.Bounced,
  30005: DeliveryEventType.Bounced,
  30006: DeliveryEventType.Bounced,
}

/**
 * A Twilio status callback, once its X-Twilio-Signature holds for the URL
 * and parameters (WebhookSignatureException otherwise); null for a status
 * we do not track. Fields Twilio adds later are accepted and kept.
 */
function readTwilioCallback(
  callback: TwilioCallback,
  account: ProviderAccount<Partial<TwilioGatewayConfig>>
) {
  const params = verifiedTwilioParams(callback, account)
  return parseTwilioStatus(params, new URL(callback.url), eventContextOf(account))
}

/**
 * The form parameters of any request Twilio signed (status callback or
 * inbound message), once X-Twilio-Signature holds for the URL and them;
 * WebhookSignatureException otherwise.
 */
export function verifiedTwilioParams(
  callback: TwilioCallback,
  account: ProviderAccount<Partial<TwilioGatewayConfig>>
) {
  const params = Object.fromEntries(new URLSearchParams(callback.rawBody ?? ''))
  const { authToken } = account.credentials
  if (
    !authToken ||
    !callback.signature ||
    !twilio.validateRequest(authToken, callback.signature, callback.url, params)
  ) {
    throw new WebhookSignatureException()
  }
  return params
}

export function parseTwilioStatus(
  params: Record<string, string>,
  url: URL,
  context: ProviderEventContext
): ProviderEvent | null {
  const sid = providerIdOrNull(params.MessageSid) ?? providerIdOrNull(params.SmsSid)
  const status = stringOrNull(params.MessageStatus) ?? stringOrNull(params.SmsStatus)
  if (!sid || !status) {
    throw new MalformedWebhookException(
      'A Twilio status callback needs MessageSid and MessageStatus'
    )
  }
  const errorCode = stringOrNull(params.ErrorCode)
  const type = typeOf(status, errorCode)
  if (!type) return null
  const failed = status === 'undelivered' || status === 'failed'
  return {
    source: 'twilio',
    ...context,
    providerEventId: `${sid}:${status}`,
    providerMessageId: sid,
    // TwilioGateway puts our id on the StatusCallback URL: the callback may beat the send's reply
    messageId: messageIdFrom(url.searchParams.get(TWILIO_CALLBACK_MESSAGE_ID_PARAM)),
    type,
    occurredAt: new Date(),
    reason: failed
      ? (stringOrNull(params.ErrorMessage) ??
        `${status}${errorCode ? ` (Twilio error ${errorCode})` : ''}`)
      : null,
    code: failed ? (errorCode ?? status) : null,
    recipient: stringOrNull(params.To),
    details: {},
    payload: params,
  }
}

function typeOf(status: string, errorCode: string | null) {
  if (status === 'undelivered' || status === 'failed') {
    return errorCode && Object.hasOwn(ERROR_TYPES, errorCode)
      ? ERROR_TYPES[errorCode]
      : DeliveryEventType.Failed
  }
  return Object.hasOwn(PROVIDER_STATUSES, status) ? PROVIDER_STATUSES[status] : null
}
