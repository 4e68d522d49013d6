import type { Channel } from '#enums/channel'

interface OutboundBase {
  /** Our message id: passed to the provider as its reference/idempotency key where it has one */
  messageId: string
  tenantId: string
  /** The sender's own kind of message, e.g. `order.shipped` */
  messageType: string
}

export interface EmailOutbound extends OutboundBase {
  channel: Channel.Email
  to: string
  subject: string
  html: string | null
  text: string | null
  replyTo: string | null
  headers: Record<string, string>
  /** Provider tags; always carries switchboard_message_id */
  tags: Record<string, string>
}

export interface SmsOutbound extends OutboundBase {
  channel: Channel.Sms
  /** E.164 */
  to: string
  body: string
  encoding: 'GSM-7' | 'UCS-2'
  segments: number
}

export interface PushOutbound extends OutboundBase {
  channel: Channel.Push
  /** Device registration token */
  token: string
  title: string | null
  body: string | null
  /** String values only (FCM's rule); always carries switchboardMessageId */
  data: Record<string, string>
}

export interface WebhookOutbound extends OutboundBase {
  channel: Channel.Webhook
  /** https URL to POST to */
  url: string
  payload: Record<string, unknown>
}

/** What a channel hands a gateway: one message in that channel's provider-neutral form. */
export type OutboundMessage = EmailOutbound | SmsOutbound | PushOutbound | WebhookOutbound

/** The outbound message of one channel (or of any of several) */
export type OutboundFor<C extends Channel> = Extract<OutboundMessage, { channel: C }>
