import { randomUUID } from 'node:crypto'
import { Channel } from '#enums/channel'
import { EgressHttp, type EgressReply } from '#messaging/egress/egress_http'
import {
  type EgressOptions,
  Gateway,
  type GatewayCheck,
  type GatewayErrorClass,
  type GatewayResult,
  type OutboundMessage,
  unsupportedChannel,
} from '#messaging/channels/gateway'
import { egressRefusalIn } from '#messaging/channels/gateway_failures'
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
} from '#messaging/signing/webhook_signature'

export interface WebhookGatewayConfig {
  /** Signs every delivery; the tenant verifies with the same secret */
  secret: string
  timeoutMs?: number
}

const DEFAULT_TIMEOUT_MS = 10_000
// Only the status matters: a receiver's body is not read beyond this
const MAX_RESPONSE_BYTES = 1024
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * Delivers a webhook message: a signed JSON POST to the tenant's URL. The
 * receiver's status code decides the outcome, the way Stripe and GitHub
 * treat their webhook receivers. Each message names its receiver, so every
 * POST goes through the egress policy, which a redirect could not escape:
 * none is followed.
 */
export class WebhookGateway extends Gateway {
  readonly type = 'webhook'
  readonly #secret: string
  readonly #timeoutMs: number
  readonly #http: EgressHttp

  constructor(config: WebhookGatewayConfig & EgressOptions) {
    super()
    this.#secret = config.secret
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.#http = new EgressHttp(config.policy, { maxResponseBytes: MAX_RESPONSE_BYTES })
  }

  async close() {
    this.#http.close()
  }

  async send(message: OutboundMessage): Promise<GatewayResult> {
    if (message.channel !== Channel.Webhook) {
      return unsupportedChannel(this.type, message.channel)
    }
    const url = recipientUrl(message.url)
    if (!url) {
      return failure('permanent', 'INVALID_URL', `not an acceptable webhook URL: ${message.url}`)
    }

    const rawBody = JSON.stringify(message.payload)
    const timestamp = Math.floor(Date.now() / 1000)
    let reply: EgressReply
    try {
      reply = await this.#http.post(
        url.href,
        {
          'Content-Type': 'application/json',
          'User-Agent': 'Switchboard-Webhooks/1.0',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(this.#secret, timestamp, rawBody),
          'X-Switchboard-Message-Id': message.messageId,
          'Idempotency-Key': message.messageId,
        },
        rawBody,
        this.#timeoutMs
      )
    } catch (error: unknown) {
      return networkFailure(error, this.#timeoutMs)
    }
    return classify(reply)
  }

  /**
   * There is no provider account behind this gateway: the secret is ours and
   * every message names its own receiver, so no request could prove anything.
   */
  async check(): Promise<GatewayCheck> {
    return { ok: true, detail: 'nothing to check: each message names its own receiver URL' }
  }
}

/**
 * The tenant's URL if we may POST to it: https only, since the payload and
 * signature must not cross a network in clear text. Plain http is allowed to
 * loopback alone, where traffic never leaves the machine: local development
 * receivers and the tests' receiver servers. A syntax check only: whether the
 * address may be reached at all is the egress policy's call, at connection time.
 */
export function recipientUrl(raw: string): URL | null {
  if (!URL.canParse(raw)) return null
  const url = new URL(raw)
  if (url.protocol === 'https:') return url
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return url
  return null
}

function classify(reply: EgressReply): GatewayResult {
  const { status } = reply
  if (status >= 200 && status < 300) {
    return { ok: true, providerMessageId: `webhook-${randomUUID()}` }
  }
  const code = `HTTP_${status}`
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = retryAfter(reply.headers['retry-after'])
    return { ...failure('retry', code, `receiver answered ${status}`), retryAfterMs }
  }
  if (status === 410) {
    return failure('suppress', code, 'receiver answered 410 Gone: the endpoint was removed')
  }
  if (status >= 300 && status < 400) {
    return failure('permanent', code, `receiver redirected (${status}); redirects are not followed`)
  }
  return failure('permanent', code, `receiver refused the webhook with ${status}`)
}

/** Retry-After in seconds, or as an HTTP date */
function retryAfter(header: string | undefined): number | undefined {
  if (!header) return undefined
  if (/^\d+$/.test(header)) return Number(header) * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now())
}

function networkFailure(error: unknown, timeoutMs: number): GatewayResult {
  // The recipient's address is refused, not the gateway: this message fails, the gateway stays healthy
  const refusal = egressRefusalIn(error)
  if (refusal) {
    return failure('permanent', refusal.code, `refused by the egress policy: ${refusal.message}`)
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    return failure('retry', 'TIMEOUT', `receiver did not answer within ${timeoutMs} ms`)
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  const detail = cause instanceof Error ? cause.message : String(cause)
  return failure('retry', 'NETWORK_ERROR', `could not reach the receiver: ${detail}`)
}

function failure(errorClass: GatewayErrorClass, code: string, message: string) {
  return { ok: false as const, errorClass, code, message }
}
