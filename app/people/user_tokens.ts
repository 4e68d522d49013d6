import { createHash, randomBytes } from 'node:crypto'
import { DateTime } from 'luxon'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import UserToken, { type UserTokenKind } from '#models/user_token'

/** 32 random bytes, base64url: what a link carries */
const TOKEN_FORMAT = /^[A-Za-z0-9_-]{43}$/

/**
 * A link's token: shown once (in the link), while only its SHA-256 is
 * stored, so the table alone lets nobody in.
 */
export function newToken() {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashToken(token) }
}

export function hashToken(token: string) {
  return createHash('sha256').update(token).digest('hex')
}

/** True for what a link's token looks like (not whether it works) */
export function isTokenFormat(token: string) {
  return TOKEN_FORMAT.test(token)
}

/**
 * The token's row while it can still be used (this kind, unused, unexpired);
 * null for anything else, a malformed token included. In a transaction the
 * row is locked, so two uses of one link cannot both pass.
 */
export async function usableToken(
  kind: UserTokenKind,
  token: string,
  trx?: TransactionClientContract
) {
  if (!isTokenFormat(token)) return null
  const query = UserToken.query(trx ? { client: trx } : {})
    .where('kind', kind)
    .where('token_hash', hashToken(token))
    .whereNull('used_at')
    .where('expires_at', '>', DateTime.now().toSQL()!)
  if (trx) query.forUpdate()
  return query.first()
}

/** Spends a token inside the transaction that acts on it */
export async function markUsed(row: UserToken, trx: TransactionClientContract) {
  row.useTransaction(trx)
  row.usedAt = DateTime.now()
  await row.save()
}
