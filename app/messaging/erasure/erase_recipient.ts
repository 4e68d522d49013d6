import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { ErasureAddressException } from '#exceptions/erasure_exceptions'
import { lockArchive } from '#messaging/archive/archive_lock'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'
import type { ArchiveRedactor } from '#messaging/erasure/archive_redactor'
import { ErasureTarget } from '#messaging/erasure/erasure_target'
import { IdentityRedactor, type IdentityErasureCounts } from '#messaging/erasure/identity_redactor'
import { MessageRedactor, type MessageErasureCounts } from '#messaging/erasure/message_redactor'

export type ErasureCounts = MessageErasureCounts &
  IdentityErasureCounts & {
    /** Archive files rewritten */
    archiveFiles: number
  }

export interface Erasure {
  erasureId: string
  counts: ErasureCounts
}

/**
 * Erases one recipient of one tenant (a data-protection request), used by
 * DELETE /api/v1/recipients/:address and `node ace recipients:erase`.
 *
 * One transaction that declares itself an erasure (`switchboard.erasure`, the
 * only way the immutability triggers let a message, an event or an audit
 * entry change): messages not yet sent are canceled; the address and content
 * become a tombstone in messages, events, conversations, tenant webhook
 * attempts, audit entries and the archive files; the suppression list keeps
 * the person by hash only. The archive is rewritten before the commit, while
 * the messages are locked and under the archive's lock (archive_lock.ts), so
 * neither comms:archive nor another erasure changes the files in between; a
 * failed commit leaves the files redacted, and running the erasure again
 * finishes it. An address never seen still gets its suppression.
 */
export class EraseRecipient {
  constructor(
    private archive: ArchiveRedactor,
    private messages = new MessageRedactor(),
    private identities = new IdentityRedactor(),
    private audit = new AuditLog()
  ) {}

  async run(tenantId: string, address: string, actor: AuditActor): Promise<Erasure> {
    const erasureId = randomUUID()
    const target = ErasureTarget.of(tenantId, address, erasureId)
    if (!target) {
      throw new ErasureAddressException()
    }
    return db.transaction(async (trx) => {
      await trx.rawQuery(`SET LOCAL switchboard.erasure = 'on'`)
      // First, before any row lock: the archiver takes it before its rows
      await lockArchive(trx)
      const erasedAt = new Date()
      const messages = await this.messages.erase(trx, target, erasedAt)
      const archived = await this.archive.erase(target, erasedAt)
      messages.events += await this.messages.eraseOrphanEvents(
        trx,
        target,
        archived.providerMessageIds
      )
      const counts: ErasureCounts = {
        ...messages,
        ...(await this.identities.erase(trx, target)),
        archiveFiles: archived.files,
      }
      await trx
        .knexQuery()
        .table('erasures')
        .insert({
          id: erasureId,
          tenant_id: tenantId,
          channel: target.channel,
          counts: JSON.stringify(counts),
          actor_type: actor.type,
          actor_id: actor.id,
          created_at: erasedAt,
        })
      await this.audit.record(
        {
          tenantId,
          actor,
          action: 'recipient.erased',
          targetType: 'recipient',
          targetId: erasureId,
          after: { channel: target.channel, erasureId, counts },
        },
        trx
      )
      return { erasureId, counts }
    })
  }
}
