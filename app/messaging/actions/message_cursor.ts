/**
 * A place in a newest-first message list: the (created_at, id) of a row and
 * which way to read from it. created_at keeps PostgreSQL's microseconds (a
 * JavaScript Date would round them away, and a page would then skip or
 * repeat rows created within the same millisecond).
 */
export interface MessageCursor {
  /** `older`: the rows after this one in the list; `newer`: the rows before it */
  direction: 'older' | 'newer'
  /** UTC, to the microsecond: 2026-12-01T10:00:00.123456Z */
  createdAt: string
  id: string
}

// Years from 1000: PostgreSQL has no year 0
const CREATED_AT = /^([1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})\d{3}Z$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const DIRECTIONS = { o: 'older', n: 'newer' } as const
const LETTERS = { older: 'o', newer: 'n' } as const

/** Opaque to clients: base64url of `o|created_at|id` */
export function encodeCursor(cursor: MessageCursor) {
  const text = `${LETTERS[cursor.direction]}|${cursor.createdAt}|${cursor.id}`
  return Buffer.from(text, 'utf8').toString('base64url')
}

/**
 * The cursor a client sent back, or null when it is not one we gave out
 * (tampered, truncated, another API's): never a value PostgreSQL would refuse.
 */
export function decodeCursor(value: string): MessageCursor | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(value)) return null
  const [letter, createdAt, id, ...rest] = Buffer.from(value, 'base64url')
    .toString('utf8')
    .split('|')
  const direction = DIRECTIONS[letter as keyof typeof DIRECTIONS]
  const millis = CREATED_AT.exec(createdAt ?? '')?.[1]
  if (!direction || !millis || !UUID.test(id ?? '') || rest.length > 0) return null
  // A real instant: no 30 February or hour 25, which the pattern alone lets through
  const date = new Date(`${millis}Z`)
  if (Number.isNaN(date.getTime()) || date.toISOString() !== `${millis}Z`) return null
  return { direction, createdAt, id }
}
