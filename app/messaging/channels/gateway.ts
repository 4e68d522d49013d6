import type { Channel } from '#enums/channel'
import type { EgressPolicy } from '#messaging/egress/egress_policy'

/**
 * How a gateway failure is handled:
 * retry     try again (another gateway now, this one later)
 * permanent this message cannot be sent: fail it now
 * suppress  permanent, and the recipient goes on the suppression list
 * config    the gateway itself is misconfigured: fail over and flag it
 */
export type GatewayErrorClass = 'retry' | 'permanent' | 'suppress' | 'config'

interface OutboundBase {
  /** Our message id: passed to the provider as its reference/idempotency key where it has one */
  messageId: string
  tenantId: string
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

export type GatewayResult =
  | { ok: true; providerMessageId: string }
  | {
      ok: false
      errorClass: GatewayErrorClass
      code: string
      message: string
      retryAfterMs?: number
    }

export type GatewayFailure = Extract<GatewayResult, { ok: false }>

/** What a gateway that calls out over the network is built with, besides its config. */
export interface EgressOptions {
  /** Vets every connection the gateway or its SDK opens (its retries and token fetches too) */
  policy: EgressPolicy
}

/** Whether a gateway's account can be reached and accepts its credentials. */
export interface GatewayCheck {
  ok: boolean
  /** What was checked and what came back; never a credential */
  detail: string
}

/** The answer of a gateway handed a message of a channel it does not carry. */
export function unsupportedChannel(gatewayType: string, channel: string): GatewayFailure {
  return {
    ok: false,
    errorClass: 'permanent',
    code: 'UNSUPPORTED_CHANNEL',
    message: `the ${gatewayType} gateway cannot send ${channel}`,
  }
}

/** A check that failed the way a send would have: the same code and message. */
export function failedCheck(failure: GatewayFailure): GatewayCheck {
  return { ok: false, detail: `${failure.code}: ${failure.message}` }
}

/**
 * A delivery provider. Implementations never throw for a provider's answer
 * or a network failure: every outcome is a GatewayResult, and check() (a
 * connection test that sends no message) a GatewayCheck.
 */
export abstract class Gateway {
  abstract readonly type: string
  abstract send(message: OutboundMessage): Promise<GatewayResult>
  abstract check(): Promise<GatewayCheck>

  /** Release what the gateway holds (connection pools, SDK apps) once it is replaced or stopped. */
  async close(): Promise<void> {}
}
