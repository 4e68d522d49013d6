import db from '@adonisjs/lucid/services/db'
import type { Logger } from '@adonisjs/core/logger'
import type { Priority } from '#enums/priority'
import type { MessageQueues } from '#messaging/queueing/message_queues'

export interface SweepReport {
  leasesReleased: number
  requeued: number
  stuckOverAlert: number
}

interface PendingRow {
  id: string
  priority: Priority
  next_attempt_at: Date
}

const LIVE_JOB_STATES = new Set(['active', 'waiting', 'waiting-children', 'delayed', 'prioritized'])

/**
 * The outbox sweeper: nothing stays queued forever. Redis may lose jobs and
 * workers may die mid-send; PostgreSQL knows what is owed, so the sweeper
 * gives expired leases back and queues every due message that has no live job.
 */
export class StuckMessageSweeper {
  constructor(
    private queues: MessageQueues,
    private logger: Logger,
    private options: { graceSeconds: number; alertMinutes: number; batchSize: number }
  ) {}

  async sweep({ dryRun = false } = {}): Promise<SweepReport> {
    const leasesReleased = dryRun
      ? await this.countExpiredLeases()
      : await this.releaseExpiredLeases()
    let requeued = 0
    let after: string | null = null
    for (;;) {
      const rows = await this.duePending(after)
      requeued += await this.requeueOrphans(rows, dryRun)
      if (rows.length < this.options.batchSize) break
      after = rows[rows.length - 1].id
    }

    const stuckOverAlert = await this.countStuckOverAlert()
    if (stuckOverAlert > 0) {
      this.logger.error(
        { count: stuckOverAlert, minutes: this.options.alertMinutes },
        'messages stuck in queued past the alert threshold'
      )
    }
    return { leasesReleased, requeued, stuckOverAlert }
  }

  /**
   * `sending` rows whose worker did not finish in time (nor extend its lease)
   * go back to `queued`. Their lease token goes too: should that worker still
   * be alive, none of its writes matches any more.
   */
  private async releaseExpiredLeases() {
    const result = await db.rawQuery(
      `WITH released AS (
         UPDATE messages SET status = 'queued', locked_until = NULL, lease_token = NULL,
                next_attempt_at = now(), updated_at = now()
          WHERE id IN (SELECT id FROM messages
                        WHERE status = 'sending' AND locked_until < now()
                        FOR UPDATE SKIP LOCKED)
          RETURNING id, tenant_id
       )
       INSERT INTO delivery_events (message_id, tenant_id, type, reason)
       SELECT id, tenant_id, 'retrying', 'lease expired: the worker did not finish' FROM released
       RETURNING message_id`
    )
    for (const row of result.rows) {
      this.logger.warn({ messageId: row.message_id }, 'lease expired: message back to queued')
    }
    return result.rows.length
  }

  private async countExpiredLeases() {
    const row = await db
      .from('messages')
      .where('status', 'sending')
      .where('locked_until', '<', db.raw('now()'))
      .count('* as count')
      .first()
    return Number(row?.count ?? 0)
  }

  private async duePending(after: string | null): Promise<PendingRow[]> {
    const query = db
      .from('messages')
      .select('id', 'priority', 'next_attempt_at')
      .whereIn('status', ['queued', 'scheduled'])
      .where(
        'next_attempt_at',
        '<',
        db.raw(`now() - make_interval(secs => ?)`, [this.options.graceSeconds])
      )
      .orderBy('id')
      .limit(this.options.batchSize)
    if (after) {
      query.where('id', '>', after)
    }
    return query
  }

  /** Queue the rows that have no live job; returns how many were (or would be) queued. */
  private async requeueOrphans(rows: PendingRow[], dryRun: boolean) {
    const states = await Promise.all(
      rows.map((row) => this.queues.queue(row.priority).getJobState(row.id))
    )
    const orphans = rows.filter((_, index) => !LIVE_JOB_STATES.has(states[index]))
    if (orphans.length === 0 || dryRun) {
      return orphans.length
    }
    // A finished job with the same id would make the new one a no-op: drop it first.
    await Promise.all(orphans.map((row) => this.queues.queue(row.priority).remove(row.id)))
    await this.queues.enqueue(orphans.map((row) => ({ id: row.id, priority: row.priority })))
    for (const row of orphans) {
      this.logger.warn(
        { messageId: row.id, priority: row.priority },
        'sweeper queued a message that had no live job'
      )
    }
    return orphans.length
  }

  private async countStuckOverAlert() {
    const row = await db
      .from('messages')
      .where('status', 'queued')
      .where(
        'next_attempt_at',
        '<',
        db.raw(`now() - make_interval(mins => ?)`, [this.options.alertMinutes])
      )
      .count('* as count')
      .first()
    return Number(row?.count ?? 0)
  }
}
