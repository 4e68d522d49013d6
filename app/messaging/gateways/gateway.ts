import type { Channel } from '#enums/channel'
import { EgressRefusedError, type EgressPolicy } from '#messaging/egress/egress_policy'

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

const VENDOR_TEXT_MAX_LENGTH = 200

/**
 * A code or message the gateway parsed out of the vendor's documented error
 * shape: one line, bounded, since it ends up in last_error, logs and replies.
 */
export function vendorText(text: string): string {
  const line = text.replace(/\p{Cc}+/gu, ' ').trim()
  return line.length > VENDOR_TEXT_MAX_LENGTH
    ? `${line.slice(0, VENDOR_TEXT_MAX_LENGTH - 1)}…`
    : line
}

/**
 * A reply that is not the vendor's documented shape: an HTML error page, a
 * proxy's text, another service's JSON. Its body is never shown: a tenant can
 * steer the address, and the body may be any service's answer.
 */
export function unexpectedReply(errorClass: GatewayErrorClass, status?: number): GatewayFailure {
  return status
    ? {
        ok: false,
        errorClass,
        code: `HTTP_${status}`,
        message: `HTTP ${status} from the provider (unexpected response)`,
      }
    : {
        ok: false,
        errorClass,
        code: 'INVALID_REPLY',
        message: 'the provider answered with an unexpected response',
      }
}

/**
 * The failure of a connection the egress policy refused: the gateway's address
 * is one it may not reach, which no retry mends. The refusal's own message
 * names only the host and the kind of range.
 */
export function egressRefused(refusal: EgressRefusedError): GatewayFailure {
  return {
    ok: false,
    errorClass: 'config',
    code: refusal.code,
    message: `refused by the egress policy: ${refusal.message}`,
  }
}

/**
 * Node's own text of a socket failure (`connect ECONNREFUSED 203.0.113.5:443`),
 * from the error or what it wraps: an errno code (Exxx) marks one, and such a
 * text never quotes a reply. Null for anything else, such as a parse error
 * that quotes the body it could not read.
 */
export function socketErrorText(error: unknown): string | null {
  let current = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if ('code' in current && typeof current.code === 'string' && /^E[A-Z]+$/.test(current.code)) {
      return current.message
    }
    current = current.cause
  }
  return null
}

/** The EgressRefusedError an SDK's error wraps (as its cause, or its cause's cause), if any. */
export function egressRefusalIn(error: unknown): EgressRefusedError | null {
  let current = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof EgressRefusedError) return current
    current = current.cause
  }
  return null
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
