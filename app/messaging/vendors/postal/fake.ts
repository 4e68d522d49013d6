// Over 300 lines: one fake speaking Postal's whole protocol (send API, error envelopes, signed webhooks) reads best in one place
/**
 * A fake Postal server: `POST /api/v1/send/message` answered like Postal 3.x
 * (always HTTP 200 with a status envelope), plus signed webhooks.
 *
 * Real checks, in Postal's order: X-Server-API-Key missing → AccessDenied,
 * not the configured key → InvalidServerAPIKey; then the message: no
 * recipients → NoRecipients, more than 50 to/cc/bcc → TooMany*Addresses, no
 * plain_body nor html_body → NoContent, no from → FromAddressMissing, an
 * attachment without name or data → AttachmentMissing*.
 *
 * Magic recipients: POSTAL_MAGIC_RECIPIENTS (magic_recipients.ts).
 *
 * Webhooks (`callbacks.url`): `{event, timestamp, payload, uuid}` signed with
 * an RSA key the fake generates: X-Postal-Signature (SHA-1) and
 * X-Postal-Signature-256 (SHA-256), base64 over the raw body; its public key
 * is `webhookPublicKey` (base64 SPKI DER, what Postal publishes as `p=`).
 */
import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto'
import type { KeyObject } from 'node:crypto'
import { CallbackPoster } from '#messaging/vendors/fakes/callback_poster'
import {
  FakeProviderServer,
  type FakeReply,
  type FakeRequest,
} from '#messaging/vendors/fakes/fake_provider_server'
import { magicErrorName, magicLocalPart } from '#messaging/vendors/fakes/magic_recipient'

/** The messages Postal 3.x gives with its error codes (ServerSuspended has none) */
export const POSTAL_ERROR_MESSAGES: Record<string, string> = {
  AccessDenied: 'Must be authenticated as a server.',
  InvalidServerAPIKey: 'The API token provided in X-Server-API-Key was not valid.',
  NoRecipients: 'There are no recipients defined to receive this message',
  NoContent: 'There is no content defined for this e-mail',
  TooManyToAddresses: 'The maximum number of To addresses has been reached (maximum 50)',
  TooManyCCAddresses: 'The maximum number of CC addresses has been reached (maximum 50)',
  TooManyBCCAddresses: 'The maximum number of BCC addresses has been reached (maximum 50)',
  FromAddressMissing: 'The From address is missing and is required',
  UnauthenticatedFromAddress: 'The From address is not authorised to send mail from this server',
  AttachmentMissingName: 'An attachment is missing a name',
  AttachmentMissingData: 'An attachment is missing data',
}

export type PostalWebhookEvent =
  | 'MessageSent'
  | 'MessageDelayed'
  | 'MessageDeliveryFailed'
  | 'MessageHeld'
  | 'MessageBounced'

export interface PostalFakeOptions {
  /** The server's API key; any other X-Server-API-Key is refused */
  apiKey: string
  /** Where to POST webhooks; none are sent without it */
  callbacks?: { url: string }
  /** How long timeout@ holds its reply */
  hangMs?: number
  /** Postal's return-path domain, the right side of its Message-IDs */
  returnPathDomain?: string
}

const MAX_ADDRESSES = 50
const HTML_ERROR_PAGE =
  '<html><body><h1>We&#39;re sorry, but something went wrong.</h1></body></html>'

interface StoredMessage {
  id: number
  token: string
  message_id: string
  to: string
  from: string
  subject: string | null
  tag: string | null
  timestamp: number
}

export class PostalFakeServer extends FakeProviderServer {
  #options: Required<Omit<PostalFakeOptions, 'callbacks'>> & Pick<PostalFakeOptions, 'callbacks'>
  #signingKey: KeyObject
  /** The public half, base64 SPKI DER: the value for PostalGatewayConfig.webhookPublicKey */
  readonly webhookPublicKey: string
  /** Postal sends it as X-Postal-Signature-KID (ruby-jwt's default kid: SHA-256 of the PKCS#1 key) */
  readonly signatureKid: string
  readonly callbacks = new CallbackPoster()
  #nextId = 1

  constructor(options: PostalFakeOptions) {
    super()
    this.#options = {
      hangMs: 30_000,
      returnPathDomain: 'rp.postal.sandbox.switchboard.test',
      ...options,
    }
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    this.#signingKey = privateKey
    this.webhookPublicKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
    this.signatureKid = createHash('sha256')
      .update(publicKey.export({ type: 'pkcs1', format: 'der' }))
      .digest('hex')
  }

  async stop() {
    await this.callbacks.drain()
    await super.stop()
  }

  protected handle(request: FakeRequest): FakeReply {
    if (request.path.split('?')[0] !== '/api/v1/send/message') {
      return { status: 404, headers: { 'content-type': 'text/html' }, body: HTML_ERROR_PAGE }
    }
    const key = request.headers['x-server-api-key']
    if (!key) return errorReply('AccessDenied')
    if (key !== this.#options.apiKey) return errorReply('InvalidServerAPIKey', { token: key })

    const params = parseParams(request)
    if (!params) {
      return { status: 400, headers: { 'content-type': 'text/html' }, body: HTML_ERROR_PAGE }
    }
    const problem = validate(params)
    if (problem) return errorReply(problem)

    const recipients = [...params.to, ...params.cc, ...params.bcc]
    const magic = new Set(recipients.map(magicLocalPart))
    if (magic.has('fail500')) {
      return { status: 500, headers: { 'content-type': 'text/html' }, body: HTML_ERROR_PAGE }
    }
    if (magic.has('notjson')) {
      return { status: 200, headers: { 'content-type': 'text/html' }, body: HTML_ERROR_PAGE }
    }
    if (magic.has('parameter-error')) {
      return envelope('parameter-error', { message: '`to` must be an array of e-mail addresses' })
    }
    const errorCode = recipients.map(magicErrorName).find((name) => name !== null)
    if (errorCode) return errorReply(errorCode)

    return this.#accept(params, recipients, magic.has('timeout'))
  }

  #accept(params: SendParams, recipients: string[], hang: boolean): FakeReply {
    this.countSend(params.headers['x-switchboard-message-id'])
    const messageId = `${randomUUID()}@${this.#options.returnPathDomain}`
    const messages: Record<string, { id: number; token: string }> = {}
    const stored: StoredMessage[] = []
    for (const to of new Set(recipients)) {
      const message: StoredMessage = {
        id: this.#nextId++,
        token: randomBytes(6).toString('hex'),
        message_id: messageId,
        to,
        from: params.from,
        subject: params.subject,
        tag: params.tag,
        timestamp: Date.now() / 1000,
      }
      messages[to] = { id: message.id, token: message.token }
      stored.push(message)
    }
    this.#sendWebhooks(stored)
    return {
      ...envelope('success', { message_id: messageId, messages }),
      delayMs: hang ? this.#options.hangMs : undefined,
    }
  }

  #sendWebhooks(messages: StoredMessage[]) {
    const url = this.#options.callbacks?.url
    if (!url) return
    const requests = messages.flatMap((message) =>
      webhooksFor(message).map(([event, payload]) => this.#signedWebhook(event, payload))
    )
    // After this request's reply is written, as Postal sends webhooks from a background job.
    setImmediate(() => this.callbacks.enqueue(url, requests))
  }

  #signedWebhook(event: PostalWebhookEvent, payload: Record<string, unknown>) {
    const body = JSON.stringify({
      event,
      timestamp: Date.now() / 1000,
      payload,
      uuid: randomUUID(),
    })
    return {
      body,
      headers: {
        'Content-Type': 'application/json',
        'User-Agent': 'Postal/3.3.4',
        'X-Postal-Signature-KID': this.signatureKid,
        'X-Postal-Signature': sign('sha1', Buffer.from(body), this.#signingKey).toString('base64'),
        'X-Postal-Signature-256': sign('sha256', Buffer.from(body), this.#signingKey).toString(
          'base64'
        ),
      },
    }
  }
}

interface SendParams {
  to: string[]
  cc: string[]
  bcc: string[]
  from: string
  subject: string | null
  tag: string | null
  plainBody: string
  htmlBody: string
  attachments: Array<Record<string, unknown>>
  /** Custom headers, names lower-cased */
  headers: Record<string, string>
}

/** Postal reads JSON only with a JSON content type; otherwise it sees no parameters. */
function parseParams(request: FakeRequest): SendParams | null {
  let raw: Record<string, unknown> = {}
  if (/^application\/json/.test(request.headers['content-type'] ?? '')) {
    try {
      const parsed: unknown = JSON.parse(request.rawBody)
      if (isRecord(parsed)) raw = parsed
    } catch {
      return null
    }
  }
  const headers: Record<string, string> = {}
  if (isRecord(raw.headers)) {
    for (const [name, value] of Object.entries(raw.headers))
      headers[name.toLowerCase()] = String(value)
  }
  return {
    to: addresses(raw.to),
    cc: addresses(raw.cc),
    bcc: addresses(raw.bcc),
    from: text(raw.from),
    subject: raw.subject === undefined ? null : text(raw.subject),
    tag: raw.tag === undefined ? null : text(raw.tag),
    plainBody: text(raw.plain_body),
    htmlBody: text(raw.html_body),
    attachments: Array.isArray(raw.attachments) ? raw.attachments.filter(isRecord) : [],
    headers,
  }
}

/** The first error Postal's OutgoingMessagePrototype would report */
function validate(params: SendParams): string | null {
  if (params.to.length + params.cc.length + params.bcc.length === 0) return 'NoRecipients'
  if (params.to.length > MAX_ADDRESSES) return 'TooManyToAddresses'
  if (params.cc.length > MAX_ADDRESSES) return 'TooManyCCAddresses'
  if (params.bcc.length > MAX_ADDRESSES) return 'TooManyBCCAddresses'
  if (!params.plainBody && !params.htmlBody) return 'NoContent'
  if (!params.from) return 'FromAddressMissing'
  for (const attachment of params.attachments) {
    if (!attachment.name) return 'AttachmentMissingName'
    if (!attachment.data) return 'AttachmentMissingData'
  }
  return null
}

/** The events Postal would send for one recipient, in order */
function webhooksFor(message: StoredMessage): Array<[PostalWebhookEvent, Record<string, unknown>]> {
  const hash = webhookHash(message)
  const delivery = (status: string, details: string, output: string) => ({
    message: hash,
    status,
    details,
    output,
    sent_with_ssl: true,
    timestamp: Date.now() / 1000,
    time: 0.12,
  })
  const sent = delivery(
    'Sent',
    `Message for ${message.to} accepted by mx.${domainOf(message.to)}`,
    '250 2.0.0 OK'
  )
  switch (magicLocalPart(message.to)) {
    case 'bounce':
      return [
        ['MessageSent', sent],
        ['MessageBounced', { original_message: hash, bounce: bounceHash(message) }],
      ]
    case 'hardfail':
      return [
        [
          'MessageDeliveryFailed',
          delivery('HardFail', 'Permanent SMTP delivery error', '550 5.1.1 User unknown'),
        ],
      ]
    case 'softfail':
      return [
        [
          'MessageDelayed',
          delivery('SoftFail', 'Temporary SMTP delivery error', '451 4.7.1 Try again later'),
        ],
      ]
    case 'held':
      return [
        [
          'MessageHeld',
          delivery('Held', `Recipient (${message.to}) is on the suppression list`, ''),
        ],
      ]
    default:
      return [['MessageSent', sent]]
  }
}

/** Postal's Message#webhook_hash */
function webhookHash(message: StoredMessage) {
  return {
    id: message.id,
    token: message.token,
    direction: 'outgoing',
    message_id: message.message_id,
    to: message.to,
    from: message.from,
    subject: message.subject,
    timestamp: message.timestamp,
    spam_status: 'NotChecked',
    tag: message.tag,
  }
}

/** The incoming bounce message Postal matched to the original */
function bounceHash(original: StoredMessage) {
  return {
    id: original.id + 1_000_000,
    token: randomBytes(6).toString('hex'),
    direction: 'incoming',
    message_id: `${randomUUID()}@mx.${domainOf(original.to)}`,
    to: `bounces@${domainOf(original.message_id)}`,
    from: `MAILER-DAEMON@mx.${domainOf(original.to)}`,
    subject: 'Mail delivery failed: returning message to sender',
    timestamp: Date.now() / 1000,
    spam_status: 'NotChecked',
    tag: null,
  }
}

function envelope(status: 'success' | 'error' | 'parameter-error', data: Record<string, unknown>) {
  return { status: 200, body: { status, time: 0.02, flags: {}, data } }
}

function errorReply(code: string, extra: Record<string, unknown> = {}): FakeReply {
  const message = POSTAL_ERROR_MESSAGES[code]
  return envelope('error', { ...(message ? { message } : {}), ...extra, code })
}

function addresses(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter(Boolean)
  if (typeof value === 'string') return value.split(/,\s*/).filter(Boolean)
  return []
}

function text(value: unknown) {
  return typeof value === 'string' ? value : ''
}

function domainOf(address: string) {
  return address.slice(address.lastIndexOf('@') + 1)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
