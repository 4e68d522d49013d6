import { randomUUID } from 'node:crypto'
import { deleteApp, initializeApp, type App, type Credential } from 'firebase-admin/app'
import { getMessaging, type Messaging, type TokenMessage } from 'firebase-admin/messaging'
import { EgressRefusedError } from '#messaging/egress/egress_policy'
import { FcmAgent, FcmCall } from '#messaging/vendors/fcm/agent'
import { ServiceAccountCredential } from '#messaging/vendors/fcm/credential'
import {
  DEFAULT_GATEWAY_TIMEOUT_MS,
  type EgressOptions,
  type GatewayCheck,
  type GatewayErrorClass,
  type GatewayFailure,
  type GatewayResult,
  failedCheck,
} from '#messaging/channels/gateway'
import { PushGateway } from '#messaging/channels/channel_gateways'
import type { PushOutbound } from '#messaging/channels/outbound'
import {
  egressRefused,
  gatewayFailure,
  unexpectedReply,
  vendorText,
} from '#messaging/channels/gateway_failures'

export interface FcmGatewayConfig {
  projectId: string
  /** The service account key file's JSON */
  serviceAccount: { client_email: string; private_key: string } | Record<string, unknown>
  /** Points the SDK at another host, e.g. the sandbox's fake FCM (see PROVIDERS.md) */
  baseUrl?: string
  /** Verifies the push client app's reports (read by the webhook, not here) */
  reportSecret?: string
  timeoutMs?: number
}

/** The bearer token sent to a fake FCM (any config with a baseUrl): it has no Google OAuth to ask */
export const FAKE_FCM_ACCESS_TOKEN = 'switchboard-sandbox-fcm-token'

/**
 * check() validates a message to this topic: a dry run needs a target, and a
 * topic (unlike a device token) is valid without any device subscribing.
 */
const CHECK_TOPIC = 'switchboard-connection-check'

/**
 * How each Admin SDK error code is handled. The SDK has already turned FCM's
 * errorCode (UNREGISTERED, QUOTA_EXCEEDED, ...) into these client codes; codes
 * not listed (unknown-error, such as a 502 from a proxy) are retried.
 */
const ERROR_CLASSES: Record<string, GatewayErrorClass> = {
  // UNREGISTERED, NOT_FOUND: the app was uninstalled or the token expired
  'messaging/registration-token-not-registered': 'suppress',
  // INVALID_ARGUMENT also covers a bad payload, so the token is not suppressed
  'messaging/invalid-argument': 'permanent',
  'messaging/invalid-registration-token': 'permanent',
  'messaging/invalid-recipient': 'permanent',
  'messaging/invalid-payload': 'permanent',
  'messaging/invalid-data-payload-key': 'permanent',
  'messaging/payload-size-limit-exceeded': 'permanent',
  'messaging/invalid-options': 'permanent',
  'messaging/invalid-package-name': 'permanent',
  // SENDER_ID_MISMATCH, PERMISSION_DENIED
  'messaging/mismatched-credential': 'config',
  // THIRD_PARTY_AUTH_ERROR (APNs/web push credentials), UNAUTHENTICATED
  'messaging/third-party-auth-error': 'config',
  'messaging/authentication-error': 'config',
  'app/invalid-credential': 'config',
  // QUOTA_EXCEEDED, UNAVAILABLE, INTERNAL and the SDK's own network failures
  'messaging/message-rate-exceeded': 'retry',
  'messaging/device-message-rate-exceeded': 'retry',
  'messaging/topics-message-rate-exceeded': 'retry',
  'messaging/server-unavailable': 'retry',
  'messaging/internal-error': 'retry',
  'app/network-error': 'retry',
  'app/network-timeout': 'retry',
}

/**
 * Push through Firebase Cloud Messaging's HTTP v1 API with the Admin SDK.
 * Each gateway owns a uniquely named Firebase app, so gateways with
 * different projects or credentials live side by side; close() deletes it.
 * One send() is at most one request to FCM: the SDK's own retries are off,
 * and a request still running at the deadline is destroyed.
 */
export class FcmGateway extends PushGateway {
  readonly type = 'fcm'
  readonly #app: App
  readonly #messaging: Messaging
  readonly #agent: FcmAgent
  readonly #credential: ServiceAccountCredential | null
  readonly #timeoutMs: number

  /** Throws when the service account has no client_email or an unreadable private_key. */
  constructor(config: FcmGatewayConfig & EgressOptions) {
    super()
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS
    // Every connection goes through the policy, the token fetches too
    this.#agent = new FcmAgent(config.policy, config.baseUrl ? new URL(config.baseUrl) : undefined)
    this.#credential = config.baseUrl
      ? null
      : new ServiceAccountCredential(config.serviceAccount, config.policy, this.#timeoutMs)
    this.#app = initializeApp(
      {
        projectId: config.projectId,
        credential: this.#credential ?? fakeFcmCredential,
        httpAgent: this.#agent,
      },
      `switchboard-fcm-${randomUUID()}`
    )
    this.#messaging = getMessaging(this.#app)
    // Batch sends default to HTTP/2, which bypasses httpAgent; HTTP/1.1 goes through it
    this.#messaging.enableLegacyHttpTransport()
    turnOffSdkRetries(this.#messaging)
  }

  async send(message: PushOutbound): Promise<GatewayResult> {
    try {
      const name: unknown = await this.#withDeadline(() =>
        this.#messaging.send(tokenMessage(message))
      )
      // A 200 that is not FCM's JSON has no message name
      if (typeof name !== 'string' || name === '') return unexpectedReply('retry', 200)
      return { ok: true, providerMessageId: name }
    } catch (error: unknown) {
      return classify(error)
    }
  }

  /**
   * A dry-run send (validate_only): FCM authenticates the credentials and
   * checks the project and the message, but delivers nothing.
   */
  async check(): Promise<GatewayCheck> {
    try {
      const dryRun = true
      await this.#withDeadline(() =>
        this.#messaging.send({ topic: CHECK_TOPIC, data: { check: 'true' } }, dryRun)
      )
      return { ok: true, detail: 'credentials and project accepted (dry-run send to a topic)' }
    } catch (error: unknown) {
      return failedCheck(classify(error))
    }
  }

  async close() {
    await deleteApp(this.#app)
    this.#agent.destroy()
    this.#credential?.close()
  }

  /**
   * The SDK's own timeout is 15 s of socket inactivity per request, so our
   * deadline is applied around the call, and the call ends with it: its
   * request is destroyed rather than left to reach FCM after the dispatcher
   * has moved on.
   */
  #withDeadline(work: () => Promise<string>): Promise<string> {
    const call = new FcmCall()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        const timeout = new SendTimeout(this.#timeoutMs)
        call.end(timeout)
        reject(timeout)
      }, this.#timeoutMs)
    })
    const sending = call.run(work)
    // After the deadline wins, the ended call's rejection must not surface as unhandled
    sending.catch(() => {})
    return Promise.race([sending, deadline]).finally(() => clearTimeout(timer))
  }
}

/** A retry policy that never retries (firebase-admin's RetryConfig) */
const NO_RETRIES = {
  maxRetries: 0,
  statusCodes: [],
  ioErrorCodes: [],
  backOffFactor: 0,
  maxDelayInMillis: 0,
}

type SdkHttpClient = { retry?: unknown }

/**
 * firebase-admin repeats a request on its own (up to 4 times on ECONNRESET,
 * ETIMEDOUT and 503), even one FCM may have accepted, and has no setting to
 * stop it: a send is retried by the dispatcher only. The messaging service's
 * HTTP clients are given a retry policy that never retries. firebase-admin
 * is pinned; should a release move these clients, the gateway fails to build
 * rather than send twice.
 */
function turnOffSdkRetries(messaging: Messaging) {
  const handler = (messaging as unknown as { messagingRequestHandler?: Record<string, unknown> })
    .messagingRequestHandler
  for (const name of ['httpClient', 'http2Client']) {
    const client = handler?.[name] as SdkHttpClient | undefined
    if (typeof client?.retry !== 'object' || client.retry === null) {
      throw new Error(`firebase-admin's messaging ${name} has no retry policy to turn off`)
    }
    client.retry = { ...NO_RETRIES }
  }
}

function tokenMessage(message: PushOutbound): TokenMessage {
  const notification = {
    ...(message.title !== null && { title: message.title }),
    ...(message.body !== null && { body: message.body }),
  }
  return {
    token: message.token,
    // Without title and body this is a data-only message, which the app handles silently
    ...(Object.keys(notification).length > 0 && { notification }),
    data: message.data,
  }
}

/** A static token: a fake FCM has no OAuth endpoint to call */
const fakeFcmCredential: Credential = {
  getAccessToken: async () => ({ access_token: FAKE_FCM_ACCESS_TOKEN, expires_in: 3600 }),
}

class SendTimeout extends Error {
  constructor(timeoutMs: number) {
    super(`fcm did not answer within ${timeoutMs} ms`)
  }
}

/**
 * The SDK folds a network failure into its own error: `Error while making
 * request: <the error's message>. Error code: <its code>`. This finds ours.
 */
const EGRESS_REFUSAL = /^Error while making request: (.*)\. Error code: EGRESS_REFUSED$/s

/**
 * The SDK quotes a reply it could not map (not JSON, or an unknown error
 * code) after this marker, and ends a non-JSON one with its status.
 */
const RAW_REPLY_MARKER = ' Raw server response:'
const RAW_REPLY_STATUS = /Status code: (\d{3})\.$/

/** The SDK quotes the credential's error, which ServiceAccountCredential writes without a reply in it */
const CREDENTIAL_FAILURE = /with the following error: "([^"]*)"/

/**
 * Only what the SDK parsed out of FCM's JSON error is shown: a reply it quotes
 * raw is replaced by its status.
 */
function classify(error: unknown): GatewayFailure {
  if (error instanceof SendTimeout) {
    return gatewayFailure('retry', 'TIMEOUT', error.message)
  }
  if (error instanceof EgressRefusedError) return egressRefused(error)
  if (!(error instanceof Error) || !('code' in error) || typeof error.code !== 'string') {
    return gatewayFailure('retry', 'UNKNOWN', 'the FCM SDK failed without an error code')
  }
  const { code, message } = error
  const refusal = EGRESS_REFUSAL.exec(message)
  if (refusal) return egressRefused(new EgressRefusedError(refusal[1]))
  const errorClass = ERROR_CLASSES[code] ?? 'retry'
  if (message.includes(RAW_REPLY_MARKER)) {
    const status = RAW_REPLY_STATUS.exec(message)?.[1]
    return { ...unexpectedReply(errorClass, status ? Number(status) : undefined), code }
  }
  if (code === 'app/invalid-credential') {
    const reason = CREDENTIAL_FAILURE.exec(message)?.[1]
    const detail = reason ? `: ${reason}` : ''
    return gatewayFailure(
      errorClass,
      code,
      `the service account could not get an access token${detail}`
    )
  }
  return gatewayFailure(errorClass, code, vendorText(message))
}
