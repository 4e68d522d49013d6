import type { Channel } from '#enums/channel'
import { MessageStatus } from '#enums/message_status'
import Message from '#models/message'
import { RETRY_KEY_PREFIX, type ResendFailed } from '#messaging/actions/resend_failed'

export interface FailedMessageFilter {
  /** Failed at or after */
  since: Date
  channel?: Channel
  tenantId?: string
}

export interface RetryReport {
  /** Failed messages not retried before, within the filter (and the limit) */
  found: number
  queued: number
  suppressed: number
  skipped: number
}

export interface RetryOptions {
  /** Retry at most this many */
  limit?: number
  /** Count what would be retried, change nothing */
  dryRun?: boolean
  /** Called after each batch with the originals handled so far */
  onProgress?: (handled: number, total: number) => void
}

/**
 * `comms:retry-failed`: every outbound message that failed since a date and
 * was not retried yet is sent again through ResendFailed, a batch at a time
 * (one SELECT, one suppression query per tenant and channel, one multi-row
 * INSERT and one addBulk per batch).
 */
export class RetryFailedMessages {
  constructor(
    private resendFailed: ResendFailed,
    /** Originals read, and retries written and queued, per batch */
    private batchSize: number
  ) {}

  async handle(filter: FailedMessageFilter, options: RetryOptions = {}): Promise<RetryReport> {
    const eligible = await this.count(filter)
    const total = Math.min(eligible, options.limit ?? Number.POSITIVE_INFINITY)
    const report: RetryReport = { found: total, queued: 0, suppressed: 0, skipped: 0 }
    if (options.dryRun) {
      return report
    }

    let handled = 0
    let after: string | null = null
    while (handled < total) {
      const batch = await this.retryable(filter, after, Math.min(this.batchSize, total - handled))
      if (batch.length === 0) break
      const outcome = await this.resendFailed.handle(batch)
      report.queued += outcome.queued
      report.suppressed += outcome.suppressed
      report.skipped += outcome.skipped
      handled += batch.length
      after = batch[batch.length - 1].id
      options.onProgress?.(handled, total)
    }
    return report
  }

  private async count(filter: FailedMessageFilter) {
    const row = await this.failed(filter).count('* as total').firstOrFail()
    return Number(row.$extras.total)
  }

  /** The next batch in id order: keyset paging, so a long run never rereads a row. */
  private retryable(filter: FailedMessageFilter, after: string | null, limit: number) {
    return this.failed(filter)
      .if(after, (query) => query.where('id', '>', after!))
      .orderBy('id')
      .limit(limit)
  }

  private failed(filter: FailedMessageFilter) {
    return Message.query()
      .where('status', MessageStatus.Failed)
      .where('direction', 'outbound')
      .where('failed_at', '>=', filter.since)
      .if(filter.channel, (query) => query.where('channel', filter.channel!))
      .if(filter.tenantId, (query) => query.where('tenant_id', filter.tenantId!))
      .whereRaw(
        `NOT EXISTS (SELECT 1 FROM messages retry
                      WHERE retry.tenant_id = messages.tenant_id
                        AND retry.idempotency_key = ? || messages.id::text)`,
        [RETRY_KEY_PREFIX]
      )
  }
}
