import { createHash } from 'node:crypto'
import type { Channel } from '#enums/channel'

/**
 * The key a suppression is found by: the hex SHA-256 of
 * `<tenant id or 'global'>|<channel>|<address in normal form>`, the same as
 * PostgreSQL's suppression_hash() (migration 0023) fills in at insert. It
 * outlives the address: an erased entry keeps only this hash, so the person
 * stays suppressed, and the tenant in it keeps one tenant's hash from telling
 * which of another's erased people it is.
 */
export function suppressionHash(tenantId: string | null, channel: Channel, address: string) {
  return createHash('sha256')
    .update(`${tenantId ?? 'global'}|${channel}|${address}`, 'utf8')
    .digest('hex')
}

/** The hashes an address is suppressed by for a tenant: the tenant's own and the global one. */
export function suppressionHashesFor(tenantId: string, channel: Channel, address: string) {
  return [suppressionHash(tenantId, channel, address), suppressionHash(null, channel, address)]
}
