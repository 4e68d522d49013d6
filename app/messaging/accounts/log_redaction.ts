import { PROVIDER_SECRET_FIELDS } from '#messaging/accounts/provider_types'

/**
 * Keys whose values are secrets wherever a logged object carries them: every
 * provider type's secret fields, the private key inside an FCM service
 * account, and whole credential objects (`config` is a provider config's
 * decrypted fields, and an HTTP client error's request options with their
 * auth headers).
 */
const SECRET_KEYS = [...PROVIDER_SECRET_FIELDS, 'private_key', 'password', 'credentials', 'config']

/** Request headers that authenticate: tenant API keys, the metrics token, Postal's key */
const SECRET_HEADERS = ['authorization', 'cookie', 'x-server-api-key']

/**
 * pino redact paths (config/logger.ts). pino matches a path at one depth, and
 * each wildcard path costs time on every line, so they cover a key at the top
 * and one level down (`{ apiKey }`, `{ account: { credentials } }`), headers
 * wherever a request sits one level down, and the known deeper places an HTTP
 * client error keeps what it sent.
 */
export const LOG_REDACT_PATHS = [
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`]),
  ...SECRET_HEADERS.flatMap((name) => [`headers["${name}"]`, `*.headers["${name}"]`]),
  'err.request',
  'err.response.config',
  'err.response.request',
  'err.cause.config',
]

export const LOG_REDACT_CENSOR = '[redacted]'
