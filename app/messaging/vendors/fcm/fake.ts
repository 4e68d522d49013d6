/**
 * A fake Firebase Cloud Messaging HTTP v1 API for the sandbox, tests and the
 * benchmark. FcmGateway reaches it through its redirecting agent: requests
 * arrive as plain HTTP/1.1 with `Host: fcm.googleapis.com` (see PROVIDERS.md).
 *
 * Magic registration tokens: FCM_MAGIC_TOKEN_PREFIXES (magic_recipients.ts).
 * A bearer token other than the configured one → 401 UNAUTHENTICATED; a
 * project other than the configured one → 403 PERMISSION_DENIED.
 *
 * A dry run (`validate_only: true`, the SDK's send(message, true)) goes through
 * the same checks, may target a topic, and is answered like FCM answers one:
 * `projects/{id}/messages/fake_message_id`, delivered nowhere and not counted.
 *
 * Accepted sends are counted per our message id, read from
 * message.data.switchboardMessageId. FCM has no delivery callbacks.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
} from '#messaging/signing/webhook_signature'
import { CallbackPoster } from '#messaging/vendors/fakes/callback_poster'
import { FAKE_FCM_ACCESS_TOKEN } from '#messaging/vendors/fcm/gateway'
import { FCM_MAGIC_TOKEN_PREFIXES } from '#messaging/vendors/fcm/magic_recipients'
import {
  FakeProviderServer,
  type FakeReply,
  type FakeRequest,
} from '#messaging/vendors/fakes/fake_provider_server'

const P = FCM_MAGIC_TOKEN_PREFIXES

const FAILURES: Array<[prefix: string, reply: FakeReply]> = [
  [P.unregistered, fcmError(404, 'NOT_FOUND', 'Requested entity was not found.', 'UNREGISTERED')],
  [
    P.invalid,
    fcmError(
      400,
      'INVALID_ARGUMENT',
      'The registration token is not a valid FCM registration token',
      'INVALID_ARGUMENT'
    ),
  ],
  [
    P.quota,
    withRetryAfter(
      60,
      fcmError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for the device.', 'QUOTA_EXCEEDED')
    ),
  ],
  [
    P.unavailable,
    withRetryAfter(
      120,
      fcmError(503, 'UNAVAILABLE', 'The service is currently unavailable.', 'UNAVAILABLE')
    ),
  ],
  [P.internal, fcmError(500, 'INTERNAL', 'Internal error encountered.', 'INTERNAL')],
  [P.mismatch, fcmError(403, 'PERMISSION_DENIED', 'SenderId mismatch', 'SENDER_ID_MISMATCH')],
  [
    P.thirdPartyAuth,
    fcmError(
      401,
      'UNAUTHENTICATED',
      'Auth error from APNS or Web Push Service',
      'THIRD_PARTY_AUTH_ERROR'
    ),
  ],
]

const SEND_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/

export interface FcmFakeOptions {
  /** Sends to another project are refused; any project is accepted when unset */
  projectId?: string
  /** The bearer token to accept; FcmGateway's sandbox token when unset */
  accessToken?: string
  /** How long a timeout-… token holds its reply */
  hangMs?: number
  /**
   * Play the client app: after each delivered notification, POST a signed
   * `delivered` report (what a real app does on receipt) to this URL
   */
  clientReports?: { url: string; secret: string; delayMs?: number }
}

interface SendRequest {
  message?: { token?: unknown; topic?: unknown; data?: Record<string, unknown> }
  validate_only?: unknown
}

export class FcmFakeServer extends FakeProviderServer {
  readonly #options: FcmFakeOptions
  readonly reports = new CallbackPoster()
  #pendingReports = new Set<Promise<void>>()

  constructor(options: FcmFakeOptions = {}) {
    super()
    this.#options = options
  }

  protected handle(request: FakeRequest): FakeReply {
    const projectId = SEND_PATH.exec(request.path)?.[1]
    if (request.method !== 'POST' || !projectId) {
      // Google's front end answers an unknown path with an HTML page, not an FCM error
      return { status: 404, headers: { 'content-type': 'text/html' }, body: 'Not Found' }
    }
    const accessToken = this.#options.accessToken ?? FAKE_FCM_ACCESS_TOKEN
    if (request.headers.authorization !== `Bearer ${accessToken}`) {
      return fcmError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.')
    }
    if (this.#options.projectId && projectId !== this.#options.projectId) {
      return fcmError(403, 'PERMISSION_DENIED', `Permission denied on project ${projectId}.`)
    }

    const send = parse(request.rawBody)
    const message = send?.message
    const dryRun = send?.validate_only === true
    const dryRunReply = {
      status: 200,
      body: { name: `projects/${projectId}/messages/fake_message_id` },
    }
    if (dryRun && isNonEmptyString(message?.topic)) return dryRunReply
    const token = message?.token
    if (!isNonEmptyString(token)) {
      return fcmError(
        400,
        'INVALID_ARGUMENT',
        'Request contains an invalid argument.',
        'INVALID_ARGUMENT'
      )
    }
    const failure = FAILURES.find(([prefix]) => token.startsWith(prefix))
    if (failure) return failure[1]
    if (dryRun) return dryRunReply

    const messageId = stringOrNull(message?.data?.switchboardMessageId)
    this.countSend(messageId)
    const name = `projects/${projectId}/messages/0:${Date.now()}%${randomBytes(8).toString('hex')}`
    if (token.startsWith(P.timeout)) {
      return { status: 200, body: { name }, delayMs: this.#options.hangMs ?? 30_000 }
    }
    if (messageId) this.#reportDelivered(messageId)
    return { status: 200, body: { name } }
  }

  async stop() {
    await Promise.all(this.#pendingReports)
    await this.reports.drain()
    await super.stop()
  }

  /** The device's report comes after the send was answered, as on a real phone. */
  #reportDelivered(messageId: string) {
    const reports = this.#options.clientReports
    if (!reports) return
    const pending = sleep(reports.delayMs ?? 250).then(() => {
      const body = JSON.stringify({ messageId, event: 'delivered', reportId: randomUUID() })
      const timestamp = Math.floor(Date.now() / 1000)
      this.reports.enqueue(reports.url, [
        {
          body,
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signWebhook(reports.secret, timestamp, body),
            [TIMESTAMP_HEADER]: String(timestamp),
          },
        },
      ])
    })
    this.#pendingReports.add(pending)
    void pending.finally(() => this.#pendingReports.delete(pending))
  }
}

function parse(rawBody: string): SendRequest | null {
  try {
    return JSON.parse(rawBody) as SendRequest
  } catch {
    return null
  }
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

function stringOrNull(value: unknown) {
  return typeof value === 'string' ? value : null
}

/** Google's error body; FCM adds its own errorCode in details */
function fcmError(code: number, status: string, message: string, errorCode?: string): FakeReply {
  const details = errorCode
    ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }]
    : undefined
  return { status: code, body: { error: { code, message, status, details } } }
}

function withRetryAfter(seconds: number, reply: FakeReply): FakeReply {
  return { ...reply, headers: { 'Retry-After': String(seconds) } }
}
