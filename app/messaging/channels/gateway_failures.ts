/**
 * How a gateway turns what went wrong into a GatewayFailure a tenant may see:
 * a vendor's parsed code or message, a status, or the egress refusal, never a
 * remote body.
 */
import { EgressRefusedError } from '#messaging/egress/egress_policy'
import type { GatewayErrorClass, GatewayFailure } from '#messaging/channels/gateway'

const VENDOR_TEXT_MAX_LENGTH = 200

/** A failure the gateway words itself: its code and message, never a remote body. */
export function gatewayFailure(
  errorClass: GatewayErrorClass,
  code: string,
  message: string
): GatewayFailure {
  return { ok: false, errorClass, code, message }
}

/**
 * A code or message the gateway parsed out of the vendor's documented error
 * shape: one line, bounded, since it ends up in last_error, logs and replies.
 */
export function vendorText(text: string): string {
  // By code points, so a cut never leaves half a surrogate pair
  const line = Array.from(text.replace(/\p{Cc}+/gu, ' ').trim())
  return line.length > VENDOR_TEXT_MAX_LENGTH
    ? `${line.slice(0, VENDOR_TEXT_MAX_LENGTH - 1).join('')}…`
    : line.join('')
}

/**
 * A reply that is not the vendor's documented shape: an HTML error page, a
 * proxy's text, another service's JSON. Its body is never shown: a tenant can
 * steer the address, and the body may be any service's answer.
 */
export function unexpectedReply(errorClass: GatewayErrorClass, status?: number): GatewayFailure {
  return status
    ? {
        ok: false,
        errorClass,
        code: `HTTP_${status}`,
        message: `HTTP ${status} from the provider (unexpected response)`,
      }
    : {
        ok: false,
        errorClass,
        code: 'INVALID_REPLY',
        message: 'the provider answered with an unexpected response',
      }
}

/**
 * The failure of a connection the egress policy refused: the gateway's address
 * is one it may not reach, which no retry mends. The refusal's own message
 * names only the host and the kind of range.
 */
export function egressRefused(refusal: EgressRefusedError): GatewayFailure {
  return {
    ok: false,
    errorClass: 'config',
    code: refusal.code,
    message: `refused by the egress policy: ${refusal.message}`,
  }
}

/**
 * Node's own text of a socket failure (`connect ECONNREFUSED 203.0.113.5:443`),
 * from the error or what it wraps: an errno code (Exxx) marks one, and such a
 * text never quotes a reply. Null for anything else, such as a parse error
 * that quotes the body it could not read.
 */
export function socketErrorText(error: unknown): string | null {
  let current = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if ('code' in current && typeof current.code === 'string' && /^E[A-Z]+$/.test(current.code)) {
      return current.message
    }
    current = current.cause
  }
  return null
}

/** The EgressRefusedError an SDK's error wraps (as its cause, or its cause's cause), if any. */
export function egressRefusalIn(error: unknown): EgressRefusedError | null {
  let current = error
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof EgressRefusedError) return current
    current = current.cause
  }
  return null
}
