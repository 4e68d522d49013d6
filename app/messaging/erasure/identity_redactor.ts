import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { SuppressionReason } from '#enums/suppression_reason'
import type { ErasureTarget } from '#messaging/erasure/erasure_target'
import { AUDIT_REDACTION, mentionSql, redactionSql } from '#messaging/erasure/redaction'

export interface IdentityErasureCounts {
  contacts: number
  conversations: number
  suppressions: number
  auditEntries: number
}

/**
 * Where the tenant's records name the person outside the message log, inside
 * the erasure's transaction: the contact its conversations hang on, the
 * suppression list and the audit log. The address becomes the tombstone;
 * the person stays suppressed by hash.
 */
export class IdentityRedactor {
  async erase(
    trx: TransactionClientContract,
    target: ErasureTarget
  ): Promise<IdentityErasureCounts> {
    const { contacts, conversations } = await this.redactContact(trx, target)
    return {
      contacts,
      conversations,
      suppressions: await this.keepSuppressedByHash(trx, target),
      auditEntries: await this.redactAudit(trx, target),
    }
  }

  /** The contact becomes the tombstone, its display name goes; its conversations stay on it */
  private async redactContact(trx: TransactionClientContract, target: ErasureTarget) {
    const result = await trx.rawQuery(
      `WITH renamed AS (
         UPDATE contacts SET address = ?, display_name = NULL, updated_at = now()
          WHERE tenant_id = ? AND channel = ? AND address = ?
          RETURNING id
       )
       SELECT (SELECT count(*) FROM renamed) AS contacts,
              (SELECT count(*) FROM conversations c
                WHERE c.contact_id IN (SELECT id FROM renamed)) AS conversations`,
      [target.tombstone, target.tenantId, target.channel, target.address]
    )
    return {
      contacts: Number(result.rows[0].contacts),
      conversations: Number(result.rows[0].conversations),
    }
  }

  /**
   * The tenant's entries for the address keep their hash and lose the
   * address: they become this erasure's tombstone, or go when an earlier
   * erasure's entry already stands for the person. One live entry (reason
   * `erased` when there was none) stays, with no expiry, so the person is
   * never contacted again.
   */
  private async keepSuppressedByHash(trx: TransactionClientContract, target: ErasureTarget) {
    const scope = [target.tenantId, target.channel, target.hash]
    const result = await trx.rawQuery(
      `WITH entries AS (
         SELECT id, recipient LIKE 'erased:%' AS erased FROM suppressions
          WHERE tenant_id = ? AND channel = ? AND recipient_hash = ? FOR UPDATE
       ), dropped AS (
         DELETE FROM suppressions WHERE id IN (SELECT id FROM entries WHERE NOT erased)
            AND EXISTS (SELECT 1 FROM entries WHERE erased)
         RETURNING id
       ), tombstoned AS (
         UPDATE suppressions SET recipient = ?, expires_at = NULL, updated_at = now()
          WHERE id IN (SELECT id FROM entries WHERE NOT erased)
            AND NOT EXISTS (SELECT 1 FROM entries WHERE erased)
         RETURNING id
       )
       SELECT count(*) AS suppressions FROM entries WHERE NOT erased`,
      [...scope, target.tombstone]
    )
    await trx.rawQuery(
      `INSERT INTO suppressions (tenant_id, channel, recipient, recipient_hash, reason, source)
       SELECT ?, ?, ?, ?, ?, 'erasure'
        WHERE NOT EXISTS (SELECT 1 FROM suppressions
                           WHERE tenant_id = ? AND channel = ? AND recipient_hash = ?)`,
      [
        ...[target.tenantId, target.channel, target.tombstone, target.hash],
        SuppressionReason.Erased,
        ...scope,
      ]
    )
    return Number(result.rows[0].suppressions)
  }

  /** Entries about the address (a suppression added, lifted…) keep what happened, not to whom */
  private async redactAudit(trx: TransactionClientContract, target: ErasureTarget) {
    const redacted = redactionSql(AUDIT_REDACTION, target, 'a')
    const mentioning = mentionSql(AUDIT_REDACTION, target, 'a')
    const result = await trx.rawQuery(
      `UPDATE audit_entries a SET ${redacted.sql} WHERE a.tenant_id = ? AND ${mentioning.sql}`,
      [...redacted.bindings, target.tenantId, ...mentioning.bindings]
    )
    return result.rowCount ?? 0
  }
}
