/**
 * A small typed client for Postal's HTTP API (the "legacy" v1 API every
 * Postal 3.x server speaks). The npm package @atech/postal is unmaintained,
 * HTTPS-only and has no timeout, hence this client over keep-alive node:http.
 */
import { EgressRefusedError, type EgressPolicy } from '#messaging/egress/egress_policy'
import { KeepAliveHttpClient, type HttpReply } from '#messaging/egress/keep_alive_http'

export interface PostalAttachment {
  name: string
  content_type: string
  /** Base64 */
  data: string
}

export interface PostalSendMessageBody {
  to: string[]
  cc?: string[]
  bcc?: string[]
  from: string
  sender?: string
  subject?: string
  reply_to?: string
  tag?: string
  plain_body?: string
  html_body?: string
  headers?: Record<string, string>
  attachments?: PostalAttachment[]
}

export interface PostalSendMessageResult {
  /** The RFC 5322 Message-ID Postal gave the message, e.g. `<uuid>@rp.postal.example` */
  message_id: string
  /** One stored message per recipient, as named again in webhook payloads */
  messages: Record<string, { id: number; token: string }>
}

/** Postal answered with an error envelope: `status` error or parameter-error. */
export class PostalApiError extends Error {
  constructor(
    readonly status: 'error' | 'parameter-error',
    /** Postal's error code; `parameter-error` for a parameter error, which has none */
    readonly code: string,
    message: string
  ) {
    super(message)
    this.name = 'PostalApiError'
  }
}

export type PostalTransportFailure = 'network' | 'timeout' | 'http-status' | 'invalid-reply'

/** The request did not produce a Postal envelope: Postal's answer is unknown. */
export class PostalTransportError extends Error {
  constructor(
    readonly failure: PostalTransportFailure,
    message: string,
    /** The HTTP status, when there was a response */
    readonly httpStatus?: number
  ) {
    super(message)
    this.name = 'PostalTransportError'
  }
}

interface PostalClientOptions {
  baseUrl: string
  apiKey: string
  timeoutMs: number
  /** Vets every connection to baseUrl */
  policy: EgressPolicy
}

export class PostalClient {
  #http: KeepAliveHttpClient
  #apiKey: string
  #timeoutMs: number

  constructor({ baseUrl, apiKey, timeoutMs, policy }: PostalClientOptions) {
    this.#http = new KeepAliveHttpClient(baseUrl, timeoutMs, policy)
    this.#apiKey = apiKey
    this.#timeoutMs = timeoutMs
  }

  /** Closes the pooled connections (a replaced or stopped gateway). */
  close() {
    this.#http.close()
  }

  /**
   * Sends one message. Resolves with Postal's data on success; rejects with a
   * PostalApiError for Postal's error envelopes, the EgressRefusedError of a
   * connection the policy refused, and a PostalTransportError for everything
   * else that is not an envelope.
   */
  async sendMessage(body: PostalSendMessageBody): Promise<PostalSendMessageResult> {
    const data = await this.#post('/api/v1/send/message', body)
    if (!isSendMessageResult(data)) {
      throw new PostalTransportError('invalid-reply', 'Postal success reply without a message_id')
    }
    return data
  }

  async #post(path: string, body: unknown): Promise<unknown> {
    let response: HttpReply
    try {
      response = await this.#http.post(
        path,
        { 'X-Server-API-Key': this.#apiKey, 'Content-Type': 'application/json' },
        JSON.stringify(body)
      )
    } catch (error) {
      if (error instanceof EgressRefusedError) throw error
      throw transportErrorFrom(error, this.#timeoutMs)
    }
    const text = response.body

    // Postal itself always answers 200: anything else comes from a proxy or a crash.
    if (response.status !== 200) {
      throw new PostalTransportError(
        'http-status',
        `Postal answered HTTP ${response.status}`,
        response.status
      )
    }

    const envelope = parseEnvelope(text)
    if (!envelope) {
      throw new PostalTransportError('invalid-reply', 'Postal answered without a JSON envelope')
    }
    if (envelope.status === 'success') {
      return envelope.data
    }
    if (envelope.status === 'parameter-error') {
      throw new PostalApiError('parameter-error', 'parameter-error', envelope.message)
    }
    throw new PostalApiError('error', envelope.code, envelope.message)
  }
}

type Envelope =
  | { status: 'success'; data: unknown }
  | { status: 'parameter-error'; message: string }
  | { status: 'error'; code: string; message: string }

function parseEnvelope(text: string): Envelope | null {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return null
  }
  if (!isRecord(parsed)) return null
  const data = isRecord(parsed.data) ? parsed.data : {}
  const message = typeof data.message === 'string' ? data.message : ''
  switch (parsed.status) {
    case 'success':
      return { status: 'success', data: parsed.data }
    case 'parameter-error':
      return { status: 'parameter-error', message }
    case 'error': {
      const code = typeof data.code === 'string' ? data.code : 'UnknownError'
      return { status: 'error', code, message: message || code }
    }
    default:
      return null
  }
}

function isSendMessageResult(data: unknown): data is PostalSendMessageResult {
  return isRecord(data) && typeof data.message_id === 'string' && isRecord(data.messages)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The deadline rejects with an HttpTimeoutError (named TimeoutError); the rest is the network. */
function transportErrorFrom(error: unknown, timeoutMs: number) {
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new PostalTransportError('timeout', `Postal did not answer within ${timeoutMs} ms`)
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  const message = cause instanceof Error ? cause.message : String(cause)
  return new PostalTransportError('network', `Postal unreachable: ${message}`)
}
