import { X509Certificate, verify } from 'node:crypto'
import { inject } from '@adonisjs/core'
import {
  MalformedWebhookException,
  WebhookSignatureException,
  WebhookVerificationUnavailableException,
} from '#exceptions/webhook_exceptions'
import { dateFromIso, isRecord } from '#messaging/tracking/provider_event'
import { isFresh } from '#messaging/tracking/replay_window'
import { SnsFetcher } from '#messaging/vendors/ses/sns_fetcher'

/** An SNS HTTP delivery: the JSON body SNS posts (as text/plain). */
export interface SnsEnvelope {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation'
  MessageId: string
  TopicArn: string
  Subject?: string
  Message: string
  Timestamp: string
  SignatureVersion: string
  Signature: string
  SigningCertURL: string
  Token?: string
  SubscribeURL?: string
}

/** The fields SNS signs in a subscription's confirmation messages (subscribe and unsubscribe alike) */
const CONFIRMATION_FIELDS: Array<keyof SnsEnvelope> = [
  'Message',
  'MessageId',
  'SubscribeURL',
  'Timestamp',
  'Token',
  'TopicArn',
  'Type',
]

/** The fields SNS signs, in order, per message type; an absent optional one is skipped. */
const SIGNED_FIELDS: Record<SnsEnvelope['Type'], Array<keyof SnsEnvelope>> = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: CONFIRMATION_FIELDS,
  UnsubscribeConfirmation: CONFIRMATION_FIELDS,
}

const ALGORITHMS: Record<string, string> = { 1: 'sha1', 2: 'sha256' }

const SNS_HOST = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/

/** An https URL on an SNS host (and a .pem file, for certificates), or null. */
export function snsUrl(value: string | undefined, { pem }: { pem: boolean }) {
  if (!value || !URL.canParse(value)) return null
  const url = new URL(value)
  const valid =
    url.protocol === 'https:' &&
    SNS_HOST.test(url.hostname) &&
    (!pem || url.pathname.endsWith('.pem'))
  return valid ? url : null
}

/** Reads an SNS delivery body; anything else is a 400. */
export function parseSnsEnvelope(rawBody: string | null): SnsEnvelope {
  let body: unknown
  try {
    body = JSON.parse(rawBody ?? '')
  } catch {
    throw new MalformedWebhookException('An SNS delivery body must be JSON')
  }
  const required = ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp'] as const
  if (!isRecord(body) || required.some((field) => typeof body[field] !== 'string')) {
    throw new MalformedWebhookException(`An SNS delivery needs ${required.join(', ')}`)
  }
  return body as unknown as SnsEnvelope
}

/**
 * Verifies an SNS delivery as AWS documents it: the TopicArn is the one
 * configured, the certificate URL is an https .pem on an SNS host, the
 * RSA signature (v1 SHA1, v2 SHA256) over the canonical string holds with
 * that certificate, and the message is not older than the replay window.
 */
@inject()
export class SnsSignatureVerifier {
  constructor(private fetcher: SnsFetcher) {}

  async verify(envelope: SnsEnvelope, expectedTopicArn: string | undefined) {
    if (
      !Object.hasOwn(SIGNED_FIELDS, envelope.Type) ||
      !Object.hasOwn(ALGORITHMS, envelope.SignatureVersion) ||
      typeof envelope.Signature !== 'string'
    ) {
      throw new WebhookSignatureException()
    }
    const fields = SIGNED_FIELDS[envelope.Type]
    const algorithm = ALGORITHMS[envelope.SignatureVersion]
    if (!expectedTopicArn || envelope.TopicArn !== expectedTopicArn) {
      throw new WebhookSignatureException('The SNS topic is not the one configured')
    }
    const certificateUrl = snsUrl(envelope.SigningCertURL, { pem: true })
    if (!certificateUrl) {
      throw new WebhookSignatureException('The SNS signing certificate URL is not an SNS one')
    }
    if (!isFresh(dateFromIso(envelope.Timestamp))) {
      throw new WebhookSignatureException('The webhook is too old to be accepted')
    }

    const certificate = await this.#certificate(certificateUrl)
    const canonical = fields
      .filter((field) => typeof envelope[field] === 'string')
      .map((field) => `${field}\n${envelope[field]}\n`)
      .join('')
    let valid = false
    try {
      valid = verify(
        algorithm,
        Buffer.from(canonical, 'utf8'),
        certificate.publicKey,
        Buffer.from(envelope.Signature, 'base64')
      )
    } catch {
      valid = false
    }
    if (!valid) throw new WebhookSignatureException()
  }

  async #certificate(url: URL) {
    let pem: string
    try {
      pem = await this.fetcher.certificate(url)
    } catch {
      // AWS unreachable: SNS retries on a 5xx, so the event is not lost
      throw new WebhookVerificationUnavailableException(
        'The SNS signing certificate cannot be fetched right now'
      )
    }
    try {
      return new X509Certificate(pem)
    } catch {
      throw new WebhookSignatureException('The SNS signing certificate is not a certificate')
    }
  }
}
