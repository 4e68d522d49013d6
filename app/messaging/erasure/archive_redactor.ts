import { ArchiveDirectory, type ArchivedMessage } from '#messaging/archive/archive_directory'
import type { ErasureTarget, MessageOwner } from '#messaging/erasure/erasure_target'
import {
  EVENT_REDACTION,
  FALLBACK_REDACTION,
  messageRedaction,
  redactRow,
} from '#messaging/erasure/redaction'

export interface ArchiveErasure {
  /** Files rewritten */
  files: number
  /** The provider's ids of the archived messages erased, for the callbacks left in the table */
  providerMessageIds: string[]
}

/**
 * The archive's part of an erasure: every file holding the tenant's messages
 * to or from the address (or naming it as a fallback) is rewritten with the
 * same redaction the tables get, each atomically.
 */
export class ArchiveRedactor {
  constructor(private directory: ArchiveDirectory) {}

  /**
   * Run under the archive's lock, so no archiver batch is between staging
   * and its rename: a staged file is one a stopped run left, rewritten too.
   */
  async erase(target: ErasureTarget, erasedAt: Date): Promise<ArchiveErasure> {
    const erased: ArchiveErasure = { files: 0, providerMessageIds: [] }
    const leftovers = await this.directory.leftovers()
    const staged = leftovers.map((file) => file.stagedPath)
    for (const path of [...(await this.directory.files()), ...staged]) {
      const records = await ArchiveDirectory.read(path)
      const redacted = records.map((record) => this.redacted(record, target, erasedAt))
      if (redacted.every((record, index) => record === records[index])) continue
      await this.directory.rewrite(path, redacted)
      erased.files++
      for (const record of records) {
        const providerId = record.message.provider_message_id
        if (typeof providerId === 'string' && target.owns(ownerOf(record))) {
          erased.providerMessageIds.push(providerId)
        }
      }
    }
    return erased
  }

  /** The record redacted, or the very same object when it is not about the address */
  private redacted(record: ArchivedMessage, target: ErasureTarget, erasedAt: Date) {
    const message = ownerOf(record)
    if (target.owns(message)) {
      return {
        message: redactRow(message, messageRedaction(target, erasedAt), target),
        events: record.events.map((event) => redactRow(event, EVENT_REDACTION, target)),
      }
    }
    const fallback = message.fallback
    if (
      message.tenant_id === target.tenantId &&
      Array.isArray(fallback) &&
      fallback.some((step) => target.isAddressOn(step?.channel, step?.recipient))
    ) {
      return { ...record, message: redactRow(message, FALLBACK_REDACTION, target) }
    }
    return record
  }
}

function ownerOf(record: ArchivedMessage) {
  return record.message as ArchivedMessage['message'] & MessageOwner
}
