import type { DateTime } from 'luxon'

/** A time as the console prints it (UTC, to the second) and as <time datetime> carries it */
export interface ShownTime {
  iso: string
  text: string
}

/**
 * Every console page shows times the same way, in UTC and saying so: the
 * server's own zone is nobody's business, and a reader compares times across
 * pages (and with the API's ISO times) without guessing.
 */
export function shownTime(date: DateTime | null): ShownTime | null {
  if (!date) return null
  const utc = date.toUTC()
  return { iso: utc.toISO()!, text: utc.toFormat("yyyy-LL-dd HH:mm:ss 'UTC'") }
}
