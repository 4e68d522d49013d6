import { EgressRefusedError } from '#messaging/egress/egress_policy'
import { HttpTimeoutError } from '#messaging/egress/egress_http'

/**
 * A failed attempt as the tenant sees it in webhook_deliveries: the class of
 * the failure and what we know for sure (a refused range, a deadline, a
 * socket error code), never text a remote server chose.
 */
export function attemptError(error: unknown): string {
  if (error instanceof EgressRefusedError) return `egress_refused: ${error.message}`
  if (error instanceof HttpTimeoutError) return `timeout: ${error.message}`
  const code = (error as NodeJS.ErrnoException | null)?.code
  return `network: could not reach the receiver${typeof code === 'string' ? ` (${code})` : ''}`
}
