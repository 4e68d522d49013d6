import { DateTime } from 'luxon'

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const
const RELATIVE = /^(\d+)\s*([smhdw])$/i

/**
 * A `--since` flag: an ISO 8601 date-time (2024-05-01T08:00:00Z) or a span
 * back from now (30m, 24h, 7d). Throws a message fit for the terminal.
 */
export function parseSince(value: string, now = new Date()): Date {
  const relative = RELATIVE.exec(value.trim())
  if (relative) {
    const unit = relative[2].toLowerCase() as keyof typeof UNIT_MS
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[unit])
  }
  const absolute = DateTime.fromISO(value.trim(), { setZone: true })
  if (!absolute.isValid) {
    throw new Error(`--since takes an ISO 8601 date-time or a span like 30m, 24h, 7d: "${value}"`)
  }
  return absolute.toJSDate()
}
