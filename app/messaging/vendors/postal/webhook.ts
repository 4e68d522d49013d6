import { createPublicKey, verify, type KeyObject } from 'node:crypto'
import { DeliveryEventType } from '#enums/delivery_event_type'
import {
  MalformedWebhookException,
  WebhookSignatureException,
} from '#exceptions/webhook_exceptions'
import type { PostalGatewayConfig } from '#messaging/vendors/postal/gateway'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'
import {
  dateFromUnixSeconds,
  isRecord,
  messageIdFrom,
  providerIdOrNull,
  stringOrNull,
  type ProviderEvent,
  type ProviderEventContext,
  eventContextOf,
} from '#messaging/tracking/provider_event'
import { isFresh } from '#messaging/tracking/replay_window'
import {
  RECEIVED,
  type StatusWebhook,
  type StatusWebhookResult,
  type WebhookRequest,
} from '#messaging/vendors/contract/vendor'

export interface PostalSignatureHeaders {
  /** X-Postal-Signature-256 (Postal ≥ 3.2): RSA SHA-256, base64 */
  sha256?: string
  /** X-Postal-Signature: RSA SHA-1, base64 */
  sha1?: string
}

/**
 * Postal's events, mapped onto ours. MessageSent means the recipient's mail
 * server accepted it: delivered. MessageDelayed (a soft fail Postal retries
 * itself) and MessageHeld are only logged.
 */
const EVENT_TYPES: Record<string, DeliveryEventType> = {
  MessageSent: DeliveryEventType.Delivered,
  MessageDelayed: DeliveryEventType.Deferred,
  MessageHeld: DeliveryEventType.Deferred,
  MessageDeliveryFailed: DeliveryEventType.Bounced,
  MessageBounced: DeliveryEventType.Bounced,
  MessageLoaded: DeliveryEventType.Opened,
  MessageLinkClicked: DeliveryEventType.Clicked,
}

/** Postal's delivery webhooks: POST …/postal/:providerId */
export class PostalStatusWebhook implements StatusWebhook<PostalGatewayConfig> {
  async read(
    request: WebhookRequest,
    account: ProviderAccount<Partial<PostalGatewayConfig>>
  ): Promise<StatusWebhookResult> {
    const event = readPostalWebhook(request.rawBody, postalSignatures(request), account)
    return { kind: 'events', events: event ? [event] : [], reply: RECEIVED }
  }
}

/** The signature headers of any request Postal signed */
export function postalSignatures({ headers }: WebhookRequest): PostalSignatureHeaders {
  return { sha256: headers['x-postal-signature-256'], sha1: headers['x-postal-signature'] }
}

/**
 * The event in a Postal webhook, once its signature and age check out
 * (WebhookSignatureException otherwise); null for an event that is not about
 * a message.
 */
function readPostalWebhook(
  rawBody: string | null,
  signatures: PostalSignatureHeaders,
  account: ProviderAccount<Partial<PostalGatewayConfig>>
) {
  return parsePostalEvent(verifiedPostalBody(rawBody, signatures, account), eventContextOf(account))
}

/**
 * The JSON object in any request Postal signed (a webhook or an inbound
 * message on an HTTP endpoint), once its signature and timestamp check out;
 * WebhookSignatureException otherwise. Parsed from the exact bytes verified.
 */
export function verifiedPostalBody(
  rawBody: string | null,
  signatures: PostalSignatureHeaders,
  account: ProviderAccount<Partial<PostalGatewayConfig>>
) {
  if (
    rawBody === null ||
    !verifyPostalSignature(rawBody, signatures, account.credentials.webhookPublicKey)
  ) {
    throw new WebhookSignatureException()
  }
  let body: unknown
  try {
    body = JSON.parse(rawBody)
  } catch {
    throw new MalformedWebhookException('A Postal webhook body must be JSON')
  }
  if (!isRecord(body)) {
    throw new MalformedWebhookException('A Postal webhook body must be a JSON object')
  }
  if (!isFresh(dateFromUnixSeconds(body.timestamp))) {
    throw new WebhookSignatureException('The webhook is too old to be accepted')
  }
  return body
}

/**
 * Checks Postal's RSA signature over the raw body with the server's public
 * key (base64 SPKI DER, the `p=` of postal._domainkey). The SHA-256 header
 * is preferred when present; an invalid one does not fall back to SHA-1.
 */
export function verifyPostalSignature(
  rawBody: string,
  signatures: PostalSignatureHeaders,
  publicKey: string | undefined
) {
  const key = publicKey ? publicKeyFrom(publicKey) : null
  if (!key) return false
  const [algorithm, signature] = signatures.sha256
    ? ['sha256', signatures.sha256]
    : ['sha1', signatures.sha1]
  if (!signature) return false
  try {
    return verify(algorithm, Buffer.from(rawBody, 'utf8'), key, Buffer.from(signature, 'base64'))
  } catch {
    return false
  }
}

/** The delivery event in a verified Postal webhook, or null (DomainDNSError, …). */
export function parsePostalEvent(body: unknown, context: ProviderEventContext) {
  if (!isRecord(body) || typeof body.event !== 'string' || !isRecord(body.payload)) {
    throw new MalformedWebhookException('A Postal webhook needs event, uuid and payload')
  }
  // Own keys only: an event named "__proto__" or "toString" is none of Postal's
  const type = Object.hasOwn(EVENT_TYPES, body.event) ? EVENT_TYPES[body.event] : null
  if (!type) return null
  const uuid = providerIdOrNull(body.uuid)
  const payload = body.payload
  // A bounce reports the message that bounced as original_message
  const message = body.event === 'MessageBounced' ? payload.original_message : payload.message
  if (!uuid || !isRecord(message)) {
    throw new MalformedWebhookException(`A Postal ${body.event} webhook needs a uuid and a message`)
  }
  const { reason, code } = failureOf(body.event, payload)
  const event: ProviderEvent = {
    source: 'postal',
    ...context,
    providerEventId: uuid,
    providerMessageId: providerIdOrNull(message.message_id),
    // PostalGateway tags every message with our id
    messageId: messageIdFrom(message.tag),
    type,
    occurredAt: dateFromUnixSeconds(payload.timestamp ?? body.timestamp),
    reason,
    code,
    recipient: stringOrNull(message.to),
    details: typeof payload.url === 'string' ? { url: payload.url } : {},
    payload: body,
  }
  return event
}

function failureOf(event: string, payload: Record<string, unknown>) {
  if (event === 'MessageBounced') {
    const bounce = isRecord(payload.bounce) ? payload.bounce : {}
    const from = stringOrNull(bounce.from)
    return { reason: `bounce received${from ? ` from ${from}` : ''}`, code: 'MessageBounced' }
  }
  const status = stringOrNull(payload.status)
  const details = stringOrNull(payload.details)
  const output = stringOrNull(payload.output)
  const reason = [details, output].filter(Boolean).join(': ') || null
  return { reason, code: status }
}

/** Parsed keys by their base64 text: parsing one per webhook cost a busy API a twentieth of its CPU */
const publicKeys = new Map<string, KeyObject | null>()
const KEYS_KEPT = 1_000

function publicKeyFrom(base64Der: string): KeyObject | null {
  if (publicKeys.has(base64Der)) return publicKeys.get(base64Der)!
  let key: KeyObject | null
  try {
    key = createPublicKey({ key: Buffer.from(base64Der, 'base64'), format: 'der', type: 'spki' })
  } catch {
    key = null
  }
  if (publicKeys.size >= KEYS_KEPT) publicKeys.clear()
  publicKeys.set(base64Der, key)
  return key
}
