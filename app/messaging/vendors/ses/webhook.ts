import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import { DeliveryEventType } from '#enums/delivery_event_type'
import {
  WebhookSignatureException,
  WebhookVerificationUnavailableException,
} from '#exceptions/webhook_exceptions'
import type { SesGatewayConfig } from '#messaging/vendors/ses/gateway'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'
import {
  dateFromIso,
  isRecord,
  messageIdFrom,
  providerIdOrNull,
  stringOrNull,
  type ProviderEvent,
  type ProviderEventContext,
  eventContextOf,
} from '#messaging/tracking/provider_event'
import { SnsFetcher } from '#messaging/vendors/ses/sns_fetcher'
import {
  SnsSignatureVerifier,
  parseSnsEnvelope,
  snsUrl,
  type SnsEnvelope,
} from '#messaging/vendors/ses/sns_signature'
import {
  RECEIVED,
  type StatusWebhook,
  type StatusWebhookResult,
  type WebhookRequest,
} from '#messaging/vendors/contract/vendor'

const CONFIRMED = { body: { confirmed: true } }

type Detail = Record<string, unknown>

interface SesEventMapping {
  /** Where the event's details are in the SES event */
  key: string
  type: (detail: Detail) => DeliveryEventType
  /** The recipients a per-recipient event lists; absent for message-wide ones */
  recipients?: (detail: Detail) => unknown[]
  reason?: (detail: Detail, recipient: Detail) => string | null
  code?: (detail: Detail) => string | null
  details?: (detail: Detail) => Record<string, unknown>
}

const addresses = (list: unknown) => (Array.isArray(list) ? list : [])

/**
 * SES event types (eventType for configuration sets, notificationType for
 * identity notifications) mapped onto ours. A Transient or Undetermined
 * bounce is soft: it counts toward the threshold instead of suppressing.
 */
const SES_EVENTS: Record<string, SesEventMapping> = {
  'Send': { key: 'send', type: () => DeliveryEventType.Sent },
  'Delivery': {
    key: 'delivery',
    type: () => DeliveryEventType.Delivered,
    recipients: (delivery) => addresses(delivery.recipients),
    details: (delivery) => ({ smtpResponse: delivery.smtpResponse }),
  },
  'Bounce': {
    key: 'bounce',
    type: (bounce) =>
      bounce.bounceType === 'Permanent' ? DeliveryEventType.Bounced : DeliveryEventType.SoftBounced,
    recipients: (bounce) => addresses(bounce.bouncedRecipients),
    reason: (bounce, recipient) =>
      stringOrNull(recipient.diagnosticCode) ?? `${bounce.bounceType} bounce`,
    code: (bounce) => [bounce.bounceType, bounce.bounceSubType].filter(Boolean).join('/') || null,
  },
  'Complaint': {
    key: 'complaint',
    type: () => DeliveryEventType.Complained,
    recipients: (complaint) => addresses(complaint.complainedRecipients),
    reason: (complaint) => stringOrNull(complaint.complaintFeedbackType) ?? 'complaint',
    code: (complaint) => stringOrNull(complaint.complaintFeedbackType),
  },
  'DeliveryDelay': {
    key: 'deliveryDelay',
    type: () => DeliveryEventType.Deferred,
    recipients: (delay) => addresses(delay.delayedRecipients),
    reason: (delay) => stringOrNull(delay.delayType),
  },
  'Reject': {
    key: 'reject',
    type: () => DeliveryEventType.Failed,
    reason: (reject) => stringOrNull(reject.reason) ?? 'rejected by SES',
    code: () => 'Reject',
  },
  'Rendering Failure': {
    key: 'failure',
    type: () => DeliveryEventType.Failed,
    reason: (failure) => stringOrNull(failure.errorMessage) ?? 'SES could not render the template',
    code: () => 'RenderingFailure',
  },
  'Open': { key: 'open', type: () => DeliveryEventType.Opened },
  'Click': {
    key: 'click',
    type: () => DeliveryEventType.Clicked,
    details: (click) => ({ url: click.link }),
  },
}

/**
 * SES events as SNS delivers them (JSON sent as text/plain) to
 * POST …/ses/:providerId: verify the SNS signature against the account's
 * topic, confirm a subscription, or read the SES event in a Notification.
 */
@inject()
export class SesWebhook implements StatusWebhook<SesGatewayConfig> {
  constructor(
    private verifier: SnsSignatureVerifier,
    private fetcher: SnsFetcher
  ) {}

  async read(
    request: WebhookRequest,
    account: ProviderAccount<Partial<SesGatewayConfig>>
  ): Promise<StatusWebhookResult> {
    const envelope = parseSnsEnvelope(request.rawBody)
    await this.verifier.verify(envelope, account.credentials.snsTopicArn)

    if (envelope.Type === 'SubscriptionConfirmation') {
      await this.#confirm(envelope)
      return { kind: 'events', events: [], reply: CONFIRMED }
    }
    if (envelope.Type === 'UnsubscribeConfirmation') {
      logger.warn({ topicArn: envelope.TopicArn }, 'SNS unsubscribed this endpoint')
      return { kind: 'events', events: [], reply: RECEIVED }
    }
    const events = sesEventsOf(envelope, eventContextOf(account))
    return { kind: 'events', events, reply: RECEIVED }
  }

  async #confirm(envelope: SnsEnvelope) {
    const url = snsUrl(envelope.SubscribeURL, { pem: false })
    if (!url) {
      throw new WebhookSignatureException('The SNS SubscribeURL is not an SNS one')
    }
    try {
      await this.fetcher.confirmSubscription(url)
    } catch {
      throw new WebhookVerificationUnavailableException(
        'The SNS subscription cannot be confirmed right now'
      )
    }
    logger.info({ topicArn: envelope.TopicArn }, 'SNS subscription confirmed')
  }
}

/**
 * The delivery events in a verified SNS Notification: one per recipient for
 * per-recipient SES events (de-duplicated on SNS MessageId + recipient), one
 * for the others. A message that is not an SES event we know yields none.
 */
export function sesEventsOf(envelope: SnsEnvelope, context: ProviderEventContext) {
  let sesEvent: unknown
  try {
    sesEvent = JSON.parse(envelope.Message)
  } catch {
    return []
  }
  if (!isRecord(sesEvent) || !isRecord(sesEvent.mail)) return []
  const name = stringOrNull(sesEvent.eventType) ?? stringOrNull(sesEvent.notificationType)
  if (!name || !Object.hasOwn(SES_EVENTS, name)) return []
  const mapping = SES_EVENTS[name]
  const detail = isRecord(sesEvent[mapping.key]) ? (sesEvent[mapping.key] as Detail) : {}
  const mail = sesEvent.mail
  const tags = isRecord(mail.tags) ? mail.tags : {}
  const taggedId = Array.isArray(tags.switchboard_message_id)
    ? tags.switchboard_message_id[0]
    : null

  const eventFor = (recipient: Detail | null, providerEventId: string): ProviderEvent => ({
    source: 'ses',
    ...context,
    providerEventId,
    providerMessageId: providerIdOrNull(mail.messageId),
    messageId: messageIdFrom(taggedId),
    type: mapping.type(detail),
    occurredAt: dateFromIso(detail.timestamp ?? mail.timestamp ?? envelope.Timestamp),
    reason: mapping.reason?.(detail, recipient ?? {}) ?? null,
    code: mapping.code?.(detail) ?? null,
    recipient: recipient ? stringOrNull(recipient.emailAddress) : null,
    details: mapping.details?.(detail) ?? {},
    payload: envelope,
  })

  if (!mapping.recipients) return [eventFor(null, envelope.MessageId)]
  return mapping
    .recipients(detail)
    .map((entry) => (typeof entry === 'string' ? { emailAddress: entry } : entry))
    .filter(isRecord)
    .filter((recipient) => typeof recipient.emailAddress === 'string')
    .map((recipient) =>
      eventFor(recipient, providerIdOrNull(`${envelope.MessageId}:${recipient.emailAddress}`)!)
    )
}
