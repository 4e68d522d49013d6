/**
 * Values from outside (a provider's message id, a vendor's error text) can
 * hold what PostgreSQL refuses: a NUL, which neither `text` nor `jsonb` can
 * store, or a lone surrogate, which JSON.stringify writes as a `\udXXX` escape
 * that `jsonb` rejects. An event carrying one would fail its write, and the
 * state change that goes with it; these make such values storable.
 */

/** `text` with every NUL and lone surrogate replaced by U+FFFD */
export function storableText(text: string) {
  return text.toWellFormed().replaceAll('\u0000', '\uFFFD')
}

/** An event's details as jsonb input PostgreSQL always accepts (null stays null) */
export function storableDetails(details: Record<string, unknown> | null | undefined) {
  return details ? JSON.stringify(details, storableJsonValue) : null
}

/** How much of a refused value an event or a log line keeps, in code points */
const EXCERPT_LENGTH = 200

/**
 * `value` as a JSON literal, cut to its first code points: never half a
 * surrogate pair, and every NUL spelled out as `\u0000`, so a value
 * PostgreSQL refused can still be read in an event or a log line.
 */
export function escapedExcerpt(value: string | null) {
  return Array.from(JSON.stringify(value)).slice(0, EXCERPT_LENGTH).join('')
}

function storableJsonValue(_key: string, value: unknown) {
  if (typeof value === 'string') return storableText(value)
  if (!isPlainRecord(value)) return value
  const keys = Object.keys(value)
  if (keys.every((key) => storableText(key) === key)) return value
  return Object.fromEntries(keys.map((key) => [storableText(key), value[key]]))
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
