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

  /**
   * The contact becomes the tombstone, its display name goes. A contact
   * already tombstoned (the person wrote again after an earlier erasure)
   * takes over the new one's conversations instead: (tenant, channel,
   * address) is unique.
   */
  private async redactContact(trx: TransactionClientContract, target: ErasureTarget) {
    const result = await trx.rawQuery(
      `WITH named AS (
         SELECT id FROM contacts WHERE tenant_id = ? AND channel = ? AND address = ? FOR UPDATE
       ), tombstoned AS (
         SELECT id FROM contacts WHERE tenant_id = ? AND channel = ? AND address = ?
       ), moved AS (
         UPDATE conversations c SET contact_id = (SELECT id FROM tombstoned), updated_at = now()
          WHERE c.contact_id IN (SELECT id FROM named) AND EXISTS (SELECT 1 FROM tombstoned)
          RETURNING c.id
       ), renamed AS (
         UPDATE contacts SET address = ?, display_name = NULL, updated_at = now()
          WHERE id IN (SELECT id FROM named) AND NOT EXISTS (SELECT 1 FROM tombstoned)
          RETURNING id
       )
       SELECT (SELECT count(*) FROM named) AS contacts,
              (SELECT count(*) FROM conversations c
                WHERE c.contact_id IN (SELECT id FROM named)) AS conversations`,
      [
        ...[target.tenantId, target.channel, target.address],
        ...[target.tenantId, target.channel, target.tombstone],
        target.tombstone,
      ]
    )
    await trx.rawQuery(
      `DELETE FROM contacts d WHERE d.tenant_id = ? AND d.channel = ? AND d.address = ?
          AND EXISTS (SELECT 1 FROM contacts t WHERE t.tenant_id = d.tenant_id
                         AND t.channel = d.channel AND t.address = ?)`,
      [target.tenantId, target.channel, target.address, target.tombstone]
    )
    return {
      contacts: Number(result.rows[0].contacts),
      conversations: Number(result.rows[0].conversations),
    }
  }

  /**
   * The tenant's entries for the address keep their hash and lose the
   * address; one live entry (reason `erased` when there was none) stays, with
   * no expiry, so the person is never contacted again.
   */
  private async keepSuppressedByHash(trx: TransactionClientContract, target: ErasureTarget) {
    const scope = [target.tenantId, target.channel, target.hash]
    const result = await trx.rawQuery(
      `WITH entries AS (
         SELECT id, recipient FROM suppressions
          WHERE tenant_id = ? AND channel = ? AND recipient_hash = ? FOR UPDATE
       ), dropped AS (
         DELETE FROM suppressions WHERE id IN (SELECT id FROM entries WHERE recipient <> ?)
            AND EXISTS (SELECT 1 FROM entries WHERE recipient = ?)
         RETURNING id
       ), tombstoned AS (
         UPDATE suppressions SET recipient = ?, expires_at = NULL, updated_at = now()
          WHERE id IN (SELECT id FROM entries)
            AND NOT EXISTS (SELECT 1 FROM dropped WHERE dropped.id = suppressions.id)
         RETURNING id
       )
       SELECT count(*) AS suppressions FROM entries`,
      [...scope, target.tombstone, target.tombstone, target.tombstone]
    )
    await trx.rawQuery(
      `INSERT INTO suppressions (tenant_id, channel, recipient, recipient_hash, reason, source)
       VALUES (?, ?, ?, ?, ?, 'erasure')
       ON CONFLICT ON CONSTRAINT suppressions_scope_uq DO NOTHING`,
      [target.tenantId, target.channel, target.tombstone, target.hash, SuppressionReason.Erased]
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
