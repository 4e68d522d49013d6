import twilio from 'twilio'
import { Channel } from '#enums/channel'
import {
  Gateway,
  type GatewayCheck,
  type GatewayErrorClass,
  type GatewayFailure,
  type GatewayResult,
  type OutboundMessage,
  type SmsOutbound,
  failedCheck,
  unsupportedChannel,
} from '#messaging/gateways/gateway'

export interface TwilioGatewayConfig {
  /** AC…; the SDK refuses anything else */
  accountSid: string
  authToken: string
  /** One of `from` and `messagingServiceSid` is required; the service wins when both are set */
  from?: string
  messagingServiceSid?: string
  /** Points the SDK at another API host, e.g. the sandbox's fake Twilio */
  baseUrl?: string
  /** Where Twilio posts status callbacks for these messages */
  statusCallbackUrl?: string
  timeoutMs?: number
}

/**
 * The query parameter that carries our message id on the StatusCallback URL.
 * Twilio's Messages API has no free-form metadata field, and a callback can
 * arrive before we stored the returned SID, so the id travels in the URL
 * Twilio calls back (and signs).
 */
export const TWILIO_CALLBACK_MESSAGE_ID_PARAM = 'switchboardMessageId'

const DEFAULT_TIMEOUT_MS = 10_000
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT'])
// 21211 invalid To, 21614 not a mobile number, 21610 the recipient replied STOP
const SUPPRESS_CODES = new Set([21211, 21614, 21610])
const AUTHENTICATION_FAILED = 20003
const TOO_MANY_REQUESTS = 20429

/** SMS through Twilio's Programmable Messaging API. */
export class TwilioGateway extends Gateway {
  readonly type = 'twilio'
  readonly #client: twilio.Twilio
  readonly #sender: { from: string } | { messagingServiceSid: string }
  readonly #statusCallbackUrl: URL | undefined

  constructor(config: TwilioGatewayConfig) {
    super()
    this.#sender = senderOf(config)
    // Parsed once, so a malformed URL fails here rather than in send()
    this.#statusCallbackUrl = config.statusCallbackUrl
      ? new URL(config.statusCallbackUrl)
      : undefined
    // Twilio's own retry on 429 stays off: retrying is the dispatcher's decision
    this.#client = twilio(config.accountSid, config.authToken, {
      timeout: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      autoRetry: false,
    })
    if (config.baseUrl) {
      // Domain.absoluteUrl reads baseUrl on every request (checked in twilio 6.2);
      // TWILIO_EDGE and TWILIO_REGION must stay unset, as they rewrite the host
      this.#client.api.baseUrl = config.baseUrl
    }
  }

  async send(message: OutboundMessage): Promise<GatewayResult> {
    if (message.channel !== Channel.Sms) {
      return unsupportedChannel(this.type, message.channel)
    }
    try {
      const sent = await this.#client.messages.create({
        ...this.#sender,
        to: message.to,
        body: message.body,
        statusCallback: this.#statusCallbackFor(message),
      })
      return { ok: true, providerMessageId: sent.sid }
    } catch (error: unknown) {
      return classify(error)
    }
  }

  /** Fetches the account resource: proves the SID and token, and tells whether it is active. */
  async check(): Promise<GatewayCheck> {
    try {
      const account = await this.#client.api.v2010.account.fetch()
      const detail = `account "${account.friendlyName}" (${account.type}) is ${account.status}`
      return { ok: account.status === 'active', detail }
    } catch (error: unknown) {
      return failedCheck(classify(error))
    }
  }

  #statusCallbackFor(message: SmsOutbound) {
    if (!this.#statusCallbackUrl) return undefined
    const url = new URL(this.#statusCallbackUrl)
    url.searchParams.set(TWILIO_CALLBACK_MESSAGE_ID_PARAM, message.messageId)
    return url.href
  }
}

function senderOf(config: TwilioGatewayConfig) {
  if (config.messagingServiceSid) return { messagingServiceSid: config.messagingServiceSid }
  if (config.from) return { from: config.from }
  throw new Error('twilio gateway needs a from number or a messagingServiceSid')
}

/**
 * A Twilio error reply (RestException, or TwilioServiceException for the
 * newer RFC 9457 bodies) carries the HTTP status and Twilio's error code;
 * anything else is the HTTP client failing to get a reply at all.
 */
function classify(error: unknown): GatewayFailure {
  const reply = twilioReply(error)
  if (!reply) return networkFailure(error)

  const { status, code, message } = reply
  const label = code ? `TWILIO_${code}` : `HTTP_${status}`
  if (status === 429 || code === TOO_MANY_REQUESTS || status >= 500) {
    return failure('retry', label, message)
  }
  if (code !== undefined && SUPPRESS_CODES.has(code)) {
    return failure('suppress', label, message)
  }
  if (code === AUTHENTICATION_FAILED || status === 401) {
    return failure('config', label, message)
  }
  return failure('permanent', label, message)
}

function twilioReply(error: unknown) {
  if (!(error instanceof Error) || !('status' in error) || typeof error.status !== 'number') {
    return null
  }
  const code = 'code' in error && typeof error.code === 'number' ? error.code : undefined
  return { status: error.status, code, message: error.message }
}

function networkFailure(error: unknown): GatewayFailure {
  const code = error instanceof Error && 'code' in error ? String(error.code) : ''
  const detail = error instanceof Error ? error.message : String(error)
  if (TIMEOUT_CODES.has(code)) {
    // Twilio may have accepted the message anyway (the POST is not idempotent):
    // a retry risks a duplicate, which PROVIDERS.md accepts over losing it
    return failure('retry', 'TIMEOUT', `twilio did not answer in time: ${detail}`)
  }
  return failure('retry', 'NETWORK_ERROR', `could not reach twilio: ${detail}`)
}

function failure(errorClass: GatewayErrorClass, code: string, message: string) {
  return { ok: false as const, errorClass, code, message }
}
