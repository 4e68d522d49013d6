import { maskSecret } from '#messaging/accounts/credentials_cipher'
import { LOG_REDACT_CENSOR } from '#messaging/accounts/log_redaction'
import { PROVIDER_SECRET_FIELDS } from '#messaging/accounts/provider_types'

/** Names are compared lower-case without separators: `private_key`, `privateKey`, `Private-Key` */
function normalized(name: string) {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '')
}

/** Keys whose values are secrets: every provider type's secret fields and the usual names */
const SECRET_NAMES = new Set(
  [
    ...PROVIDER_SECRET_FIELDS,
    'key',
    'keyMaterial',
    'credentials',
    'authorization',
    'cookie',
    'passphrase',
    'encryptedConfig',
    'encryptedSecret',
  ].map(normalized)
)

/** Endings that make any key a secret's: `reportSecret`, `refreshToken`, `adminPassword` … */
const SECRET_ENDINGS = [
  'secret',
  'password',
  'token',
  'apikey',
  'accesskey',
  'privatekey',
  'serverkey',
  'signingkey',
]

/** Key material is a secret whatever field holds it */
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/

function isSecretName(name: string) {
  const key = normalized(name)
  return SECRET_NAMES.has(key) || SECRET_ENDINGS.some((ending) => key.endsWith(ending))
}

/**
 * A secret's stand-in: a string keeps the display mask (its last characters,
 * as the API shows it), so an entry still tells that a secret changed; any
 * other value (a service account object) is replaced whole. Null stays null:
 * a removed secret is a change worth seeing.
 */
function masked(value: unknown) {
  if (value === null || value === undefined) return value
  return typeof value === 'string' ? maskSecret(value) : LOG_REDACT_CENSOR
}

/**
 * A copy of a JSON value with every secret masked by its key name at any
 * depth (also what the console shows of a provider's webhook payload).
 */
export function maskedValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskedValue)
  if (typeof value === 'string') return PRIVATE_KEY_PEM.test(value) ? LOG_REDACT_CENSOR : value
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [
      key,
      isSecretName(key) ? masked(field) : maskedValue(field),
    ])
  )
}

/**
 * The before or after of an audit entry: the value as JSON would store it
 * (dates as ISO strings, models serialized), every secret masked by its key
 * name at any depth. Pass the view the API shows (already masked); this is
 * the second guard, so a secret a view lets through never reaches the log.
 */
export function auditSnapshot(value: object): Record<string, unknown> {
  return maskedValue(JSON.parse(JSON.stringify(value))) as Record<string, unknown>
}
