/**
 * Tells whether an error means PostgreSQL or Redis cannot be reached right
 * now, as opposed to a bug: such errors answer 503, not 500.
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EHOSTUNREACH',
])

// PostgreSQL classes 08 (connection exception), 53 (insufficient resources), 57P (operator intervention)
const PG_UNAVAILABLE = /^(08|53|57P)/

export function isServiceUnavailable(error: unknown): boolean {
  if (!error || typeof error !== 'object') {
    return false
  }
  const { code, message, name } = error as { code?: unknown; message?: unknown; name?: unknown }
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || PG_UNAVAILABLE.test(code))) {
    return true
  }
  if (name === 'KnexTimeoutError' || name === 'MaxRetriesPerRequestError') {
    return true
  }
  return (
    typeof message === 'string' &&
    /Connection terminated|Connection is closed|connect ECONNREFUSED|Stream isn't writeable/.test(
      message
    )
  )
}
