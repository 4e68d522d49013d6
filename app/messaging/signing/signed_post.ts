import type { EgressHttp, EgressReply } from '#messaging/egress/egress_http'
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
} from '#messaging/signing/webhook_signature'

const USER_AGENT = 'Switchboard-Webhooks/1.0'

export interface SignedPostRequest {
  url: string
  /** Sent as JSON; the signature covers these exact bytes */
  payload: unknown
  /** The receiver verifies the signature with the same secret */
  secret: string
  /** The sender's own headers (ids, idempotency key), after the signature's */
  headers: Record<string, string>
  timeoutMs: number
}

/**
 * A JSON POST signed with Switchboard's webhook signature, as the webhook
 * channel and tenant webhooks send it: the same headers and bytes for both,
 * so a receiver verifies either one the same way.
 */
export function signedPost(http: EgressHttp, request: SignedPostRequest): Promise<EgressReply> {
  const rawBody = JSON.stringify(request.payload)
  const timestamp = Math.floor(Date.now() / 1000)
  const headers = {
    'Content-Type': 'application/json',
    'User-Agent': USER_AGENT,
    [TIMESTAMP_HEADER]: String(timestamp),
    [SIGNATURE_HEADER]: signWebhook(request.secret, timestamp, rawBody),
    ...request.headers,
  }
  return http.post(request.url, headers, rawBody, request.timeoutMs)
}
