import { createHmac, timingSafeEqual } from 'node:crypto'

/**
 * Switchboard's webhook signature, in the spirit of Stripe's: the HMAC covers
 * the timestamp as well as the raw body, so a captured request cannot be
 * replayed later with a fresh timestamp. The `v1=` prefix leaves room for a
 * new scheme without breaking receivers that check the old one.
 */
export const SIGNATURE_HEADER = 'X-Switchboard-Signature'
export const TIMESTAMP_HEADER = 'X-Switchboard-Timestamp'

const SCHEME = 'v1'
const DEFAULT_MAX_AGE_SECONDS = 300

/** The X-Switchboard-Signature value for this timestamp (unix seconds) and body. */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `${SCHEME}=${hmacHex(secret, String(timestamp), rawBody)}`
}

export interface WebhookSignatureCheck {
  secret: string
  /** The X-Switchboard-Signature header as received */
  signature: string | undefined
  /** The X-Switchboard-Timestamp header as received */
  timestamp: string | undefined
  /** The body exactly as received, before any JSON parsing */
  rawBody: string
  /** Older (or further in the future) than this is refused as a possible replay */
  maxAgeSeconds?: number
  nowMs?: number
}

export function verifyWebhookSignature(check: WebhookSignatureCheck): boolean {
  const { secret, signature, timestamp, rawBody } = check
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return false

  const nowSeconds = Math.floor((check.nowMs ?? Date.now()) / 1000)
  const maxAge = check.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS
  if (Math.abs(nowSeconds - Number(timestamp)) > maxAge) return false

  const [scheme, received] = signature.split('=', 2)
  if (scheme !== SCHEME || !received) return false

  const expected = Buffer.from(hmacHex(secret, timestamp, rawBody), 'utf8')
  const actual = Buffer.from(received, 'utf8')
  // timingSafeEqual throws on a length mismatch; the length of a hex digest is no secret
  return actual.length === expected.length && timingSafeEqual(actual, expected)
}

function hmacHex(secret: string, timestamp: string, rawBody: string) {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`, 'utf8').digest('hex')
}
