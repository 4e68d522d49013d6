import twilio from 'twilio'
import { keepAliveAgents, type KeepAliveAgents } from '#messaging/egress/egress_http'
import {
  DEFAULT_GATEWAY_TIMEOUT_MS,
  type EgressOptions,
  type GatewayCheck,
  type GatewayErrorClass,
  type GatewayFailure,
  type GatewayResult,
  failedCheck,
} from '#messaging/channels/gateway'
import { SmsGateway } from '#messaging/channels/channel_gateways'
import type { SmsOutbound } from '#messaging/channels/outbound'
import {
  egressRefusalIn,
  egressRefused,
  gatewayFailure,
  socketErrorText,
  unexpectedReply,
  vendorText,
} from '#messaging/channels/gateway_failures'

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

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT'])
// 21211 invalid To, 21614 not a mobile number, 21610 the recipient replied STOP
const SUPPRESS_CODES = new Set([21211, 21614, 21610])
const AUTHENTICATION_FAILED = 20003
const TOO_MANY_REQUESTS = 20429
/** Twilio's replies are a few KiB; a reply past this is not Twilio's */
const MAX_REPLY_BYTES = 256 * 1024
const ACCOUNT_STATUSES = new Set(['active', 'suspended', 'closed'])

/** SMS through Twilio's Programmable Messaging API. */
export class TwilioGateway extends SmsGateway {
  readonly type = 'twilio'
  readonly #client: twilio.Twilio
  readonly #sender: { from: string } | { messagingServiceSid: string }
  readonly #statusCallbackUrl: URL | undefined
  readonly #agents: KeepAliveAgents

  constructor(config: TwilioGatewayConfig & EgressOptions) {
    super()
    this.#sender = senderOf(config)
    // Parsed once, so a malformed URL fails here rather than in send()
    this.#statusCallbackUrl = config.statusCallbackUrl
      ? new URL(config.statusCallbackUrl)
      : undefined
    const timeoutMs = config.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS
    this.#agents = keepAliveAgents(config.policy)
    this.#client = twilio(config.accountSid, config.authToken, {
      httpClient: guardedRequestClient(timeoutMs, this.#agents),
    })
    if (config.baseUrl) {
      // Domain.absoluteUrl reads baseUrl on every request (checked in twilio 6.2);
      // TWILIO_EDGE and TWILIO_REGION must stay unset, as they rewrite the host
      this.#client.api.baseUrl = config.baseUrl
    }
  }

  async send(message: SmsOutbound): Promise<GatewayResult> {
    try {
      const sent = await this.#client.messages.create({
        ...this.#sender,
        to: message.to,
        body: message.body,
        statusCallback: this.#statusCallbackFor(message),
      })
      // A 2xx that is not a message resource (not Twilio's JSON) has no sid
      if (typeof sent.sid !== 'string' || sent.sid === '') return unexpectedReply('retry')
      return { ok: true, providerMessageId: sent.sid }
    } catch (error: unknown) {
      return classify(error)
    }
  }

  /** Fetches the account resource: proves the SID and token, and tells whether it is active. */
  async check(): Promise<GatewayCheck> {
    try {
      const account = await this.#client.api.v2010.account.fetch()
      if (!ACCOUNT_STATUSES.has(account.status)) return failedCheck(unexpectedReply('retry'))
      const name = typeof account.friendlyName === 'string' ? vendorText(account.friendlyName) : ''
      return { ok: account.status === 'active', detail: `account "${name}" is ${account.status}` }
    } catch (error: unknown) {
      return failedCheck(classify(error))
    }
  }

  async close() {
    for (const agent of Object.values(this.#agents)) agent.destroy()
  }

  #statusCallbackFor(message: SmsOutbound) {
    if (!this.#statusCallbackUrl) return undefined
    const url = new URL(this.#statusCallbackUrl)
    url.searchParams.set(TWILIO_CALLBACK_MESSAGE_ID_PARAM, message.messageId)
    return url.href
  }
}

/**
 * The SDK's RequestClient makes its own https.Agent, and a plain-HTTP baseUrl
 * would go through Node's global agent: both are replaced by the policy's
 * agents, so every connection the SDK opens is vetted. Its retry on 429 stays
 * off (retrying is the dispatcher's decision), no redirect is followed and a
 * reply is read up to a cap.
 */
function guardedRequestClient(timeoutMs: number, { httpAgent, httpsAgent }: KeepAliveAgents) {
  const client = new twilio.RequestClient({ timeout: timeoutMs, autoRetry: false })
  client.axios.defaults.httpAgent = httpAgent
  client.axios.defaults.httpsAgent = httpsAgent
  client.axios.defaults.maxRedirects = 0
  client.axios.defaults.maxContentLength = MAX_REPLY_BYTES
  return client
}

function senderOf(config: TwilioGatewayConfig) {
  if (config.messagingServiceSid) return { messagingServiceSid: config.messagingServiceSid }
  if (config.from) return { from: config.from }
  throw new Error('twilio gateway needs a from number or a messagingServiceSid')
}

/**
 * A Twilio error reply (RestException, or TwilioServiceException for the
 * newer RFC 9457 bodies) carries the HTTP status and Twilio's error code and
 * message; a reply without them (an HTML page, another service's JSON) is
 * shown by its status alone. Anything else is the HTTP client failing to get
 * a reply at all.
 */
function classify(error: unknown): GatewayFailure {
  const refusal = egressRefusalIn(error)
  if (refusal) return egressRefused(refusal)
  const reply = twilioReply(error)
  if (!reply) return networkFailure(error)

  const { status, code, message } = reply
  const errorClass = classOf(status, code)
  if (code === undefined || message === undefined) return unexpectedReply(errorClass, status)
  return gatewayFailure(errorClass, `TWILIO_${code}`, vendorText(message))
}

function classOf(status: number, code: number | undefined): GatewayErrorClass {
  if (status === 429 || code === TOO_MANY_REQUESTS || status >= 500) return 'retry'
  if (code !== undefined && SUPPRESS_CODES.has(code)) return 'suppress'
  if (code === AUTHENTICATION_FAILED || status === 401) return 'config'
  return 'permanent'
}

/** The SDK sets code and message from the body only when it parsed as JSON carrying them. */
function twilioReply(error: unknown) {
  if (!(error instanceof Error) || !('status' in error) || typeof error.status !== 'number') {
    return null
  }
  const code = 'code' in error && typeof error.code === 'number' ? error.code : 0
  return {
    status: error.status,
    code: code === 0 ? undefined : code,
    message: typeof error.message === 'string' && error.message !== '' ? error.message : undefined,
  }
}

/** No reply at all (a socket failure), or one the SDK could not read, which is not shown. */
function networkFailure(error: unknown): GatewayFailure {
  const code = error instanceof Error && 'code' in error ? String(error.code) : ''
  const detail = socketErrorText(error)
  if (detail === null) return unexpectedReply('retry')
  if (TIMEOUT_CODES.has(code)) {
    // Twilio may have accepted the message anyway (the POST is not idempotent):
    // a retry risks a duplicate, which PROVIDERS.md accepts over losing it
    return gatewayFailure('retry', 'TIMEOUT', `twilio did not answer in time: ${detail}`)
  }
  return gatewayFailure('retry', 'NETWORK_ERROR', `could not reach twilio: ${detail}`)
}
