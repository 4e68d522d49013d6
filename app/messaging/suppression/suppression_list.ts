import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import type { Channel } from '#enums/channel'
import type { SuppressionReason } from '#enums/suppression_reason'
import { suppressionHashesFor } from '#messaging/suppression/suppression_hash'

export interface NewSuppression {
  tenantId: string | null
  channel: Channel
  recipient: string
  reason: SuppressionReason
  source: string
  details?: Record<string, unknown>
  expiresAt?: Date | null
}

/** A recipient's suppression; `erasedAs` is the tombstone that replaced an erased person's address */
export interface SuppressionMatch {
  erasedAs: string | null
}

/**
 * The do-not-contact list. A tenant's own entries and the global ones (no
 * tenant) both apply; expired entries do not.
 */
export class SuppressionList {
  /**
   * Which of these recipients are suppressed: one query for a whole batch.
   * Entries are matched by recipient_hash (every row has one, filled at
   * insert), so an erased entry, whose recipient is only a tombstone, still
   * matches the address.
   */
  async suppressedAmong(tenantId: string, channel: Channel, recipients: string[]) {
    const matches = await this.matchesAmong(tenantId, channel, recipients)
    return new Set(matches.keys())
  }

  /**
   * The suppressed ones among these recipients, each with the tombstone of
   * its erasure when the person was erased (its entry lost the address): a
   * message accepted for them must not bring the address back.
   */
  async matchesAmong(tenantId: string, channel: Channel, recipients: string[]) {
    const matches = new Map<string, SuppressionMatch>()
    if (recipients.length === 0) {
      return matches
    }
    const recipientByHash = new Map<string, string>()
    for (const recipient of recipients) {
      for (const hash of suppressionHashesFor(tenantId, channel, recipient)) {
        recipientByHash.set(hash, recipient)
      }
    }
    const rows: Array<{ recipient_hash: string; recipient: string }> = await db
      .from('suppressions')
      .select('recipient_hash', 'recipient')
      .where('channel', channel)
      .whereRaw('recipient_hash = ANY(?::text[])', [[...recipientByHash.keys()]])
      .where((scope) => scope.where('tenant_id', tenantId).orWhereNull('tenant_id'))
      .where((live) => live.whereNull('expires_at').orWhere('expires_at', '>', db.raw('now()')))
    for (const row of rows) {
      const recipient = recipientByHash.get(row.recipient_hash)!
      const erasedAs = row.recipient === recipient ? null : row.recipient
      matches.set(recipient, { erasedAs: matches.get(recipient)?.erasedAs ?? erasedAs })
    }
    return matches
  }

  async isSuppressed(tenantId: string, channel: Channel, recipient: string) {
    const found = await this.suppressedAmong(tenantId, channel, [recipient])
    return found.size > 0
  }

  /**
   * Add an entry; a live one for the same scope is kept as it is, an expired
   * one is renewed (it no longer protected the recipient). Returns the id of
   * the entry written, or null when a live one was already there. Pass a
   * transaction to make the entry part of it.
   */
  async add(
    entry: NewSuppression,
    client: QueryClientContract = db.connection()
  ): Promise<number | null> {
    const written = {
      reason: entry.reason,
      source: entry.source,
      details: entry.details ? JSON.stringify(entry.details) : null,
      expires_at: entry.expiresAt ?? null,
    }
    const rows: Array<{ id: string }> = await client
      .knexQuery()
      .table('suppressions')
      .insert({
        tenant_id: entry.tenantId,
        channel: entry.channel,
        recipient: entry.recipient,
        ...written,
      })
      .onConflict(db.knexRawQuery('ON CONSTRAINT suppressions_scope_uq'))
      .merge({
        ...written,
        created_at: db.knexRawQuery('now()'),
        updated_at: db.knexRawQuery('now()'),
      })
      .where('suppressions.expires_at', '<=', db.knexRawQuery('now()'))
      .returning(['id'])
    return rows.length > 0 ? Number(rows[0].id) : null
  }

  /**
   * Lift a tenant's entry, only if it was added for this reason: an opt-in
   * undoes an unsubscribe, never a hard bounce or a complaint.
   */
  async remove(
    entry: Pick<NewSuppression, 'channel' | 'recipient' | 'reason'> & { tenantId: string },
    client: QueryClientContract = db.connection()
  ) {
    await client
      .from('suppressions')
      .where('tenant_id', entry.tenantId)
      .where('channel', entry.channel)
      .where('recipient', entry.recipient)
      .where('reason', entry.reason)
      .delete()
  }
}
