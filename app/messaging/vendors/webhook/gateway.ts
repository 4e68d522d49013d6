import { randomUUID } from 'node:crypto'
import { EgressHttp, type EgressReply } from '#messaging/egress/egress_http'
import {
  DEFAULT_GATEWAY_TIMEOUT_MS,
  type EgressOptions,
  type GatewayCheck,
  type GatewayResult,
} from '#messaging/channels/gateway'
import { WebhookGateway } from '#messaging/channels/channel_gateways'
import type { WebhookOutbound } from '#messaging/channels/outbound'
import { egressRefusalIn, gatewayFailure } from '#messaging/channels/gateway_failures'
import { signedPost } from '#messaging/signing/signed_post'

export interface WebhookGatewayConfig {
  /** Signs every delivery; the tenant verifies with the same secret */
  secret: string
  timeoutMs?: number
}

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
export class SignedWebhookGateway extends WebhookGateway {
  readonly type = 'webhook'
  readonly #secret: string
  readonly #timeoutMs: number
  readonly #http: EgressHttp

  constructor(config: WebhookGatewayConfig & EgressOptions) {
    super()
    this.#secret = config.secret
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS
    this.#http = new EgressHttp(config.policy, { maxResponseBytes: MAX_RESPONSE_BYTES })
  }

  async close() {
    this.#http.close()
  }

  async send(message: WebhookOutbound): Promise<GatewayResult> {
    const url = recipientUrl(message.url)
    if (!url) {
      return gatewayFailure(
        'permanent',
        'INVALID_URL',
        `not an acceptable webhook URL: ${message.url}`
      )
    }

    let reply: EgressReply
    try {
      reply = await signedPost(this.#http, {
        url: url.href,
        payload: message.payload,
        secret: this.#secret,
        headers: {
          'X-Switchboard-Message-Id': message.messageId,
          'Idempotency-Key': message.messageId,
        },
        timeoutMs: this.#timeoutMs,
      })
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
    return { ...gatewayFailure('retry', code, `receiver answered ${status}`), retryAfterMs }
  }
  if (status === 410) {
    return gatewayFailure('suppress', code, 'receiver answered 410 Gone: the endpoint was removed')
  }
  if (status >= 300 && status < 400) {
    return gatewayFailure(
      'permanent',
      code,
      `receiver redirected (${status}); redirects are not followed`
    )
  }
  return gatewayFailure('permanent', code, `receiver refused the webhook with ${status}`)
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
    return gatewayFailure(
      'permanent',
      refusal.code,
      `refused by the egress policy: ${refusal.message}`
    )
  }
  if (error instanceof Error && error.name === 'TimeoutError') {
    return gatewayFailure('retry', 'TIMEOUT', `receiver did not answer within ${timeoutMs} ms`)
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  const detail = cause instanceof Error ? cause.message : String(cause)
  return gatewayFailure('retry', 'NETWORK_ERROR', `could not reach the receiver: ${detail}`)
}
