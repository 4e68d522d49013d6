/**
 * How old a signed webhook may be. A valid signature proves who sent it, not
 * when: without a limit a captured webhook could be replayed once its event
 * has been archived out of delivery_events. Providers retry for well under a
 * day (Postal about 40 minutes, SNS an hour by default).
 */
const MAX_AGE_MS = 24 * 3_600_000
/** Clock skew tolerated the other way */
const MAX_AHEAD_MS = 15 * 60_000

export function isFresh(signedAt: Date, now = Date.now()) {
  const time = signedAt.getTime()
  return time >= now - MAX_AGE_MS && time <= now + MAX_AHEAD_MS
}
