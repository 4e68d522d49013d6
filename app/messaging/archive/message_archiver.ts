import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import { MessageStatus } from '#enums/message_status'
import { ArchiveDirectory } from '#messaging/archive/archive_directory'
import { withArchiveLock } from '#messaging/archive/archive_lock'
import type { ArchivedMessage, StagedFile } from '#messaging/archive/archive_directory'

/**
 * Statuses after which nothing is owed on a message. `sent` is one of them:
 * past the archive age no delivery report is still coming.
 */
export const ARCHIVABLE_STATUSES = [
  MessageStatus.Sent,
  MessageStatus.Delivered,
  MessageStatus.Failed,
  MessageStatus.Canceled,
  MessageStatus.Suppressed,
]

/** PostgreSQL's error for FOR UPDATE NOWAIT on a row another transaction holds */
const LOCK_NOT_AVAILABLE = '55P03'

export interface ArchiveCounts {
  messages: number
  events: number
}

export interface ArchivedBatch extends ArchiveCounts {
  files: string[]
}

export interface ArchiveOptions {
  batchSize: number
  /** Stops between batches once aborted (the command lost its lock) */
  signal: AbortSignal
  onBatch: (batch: ArchivedBatch) => void
}

interface BatchRow {
  id: string
  day: string
  row: ArchivedMessage['message']
}

interface EventRow {
  id: string
  message_id: string
  row: Record<string, unknown>
}

/**
 * Moves old messages out of the hot tables: every message in an archivable
 * status created before the cutoff, with its delivery events, is written to
 * the archive (one file per batch and day, by created_at in UTC) and then
 * deleted, batch by batch, oldest first.
 *
 * Per batch, in one transaction: lock the rows (FOR UPDATE, which also holds
 * back new events for them: their foreign-key check waits on the lock), write
 * and sync the staged file, delete exactly the message and event ids written
 * (`switchboard.archiving` lets the append-only event log be deleted from),
 * commit, then move the file into its day's folder. A crash at any point
 * leaves either rows in PostgreSQL or rows in a file, never neither and never
 * both once `recover()` has run.
 *
 * messages.parent_message_id is immutable and has no ON DELETE action, so a
 * message still referenced by another one stays: it is archived once every
 * message pointing at it is (later in the same run if they are due too).
 * Nothing else references messages: conversations, tenant-webhook deliveries
 * and suppressions keep their own rows, which only mention message ids.
 */
export class MessageArchiver {
  constructor(private directory: ArchiveDirectory) {}

  /** The cutoff for messages older than `days`, by the database's clock, fixed for one run. */
  async cutoff(days: number): Promise<Date> {
    const result = await db.rawQuery('SELECT now() - make_interval(days => ?) AS cutoff', [days])
    return result.rows[0].cutoff
  }

  /** What a run would archive now: the messages due and their events. */
  async due(cutoff: Date): Promise<ArchiveCounts> {
    const result = await db.rawQuery(
      `WITH RECURSIVE kept AS (
         SELECT c.parent_message_id AS id FROM messages c
          WHERE c.parent_message_id IS NOT NULL
            AND NOT (c.status = ANY(?::text[]) AND c.created_at < ?)
         UNION
         SELECT m.parent_message_id FROM messages m JOIN kept k ON m.id = k.id
          WHERE m.parent_message_id IS NOT NULL
       ), due AS (
         SELECT m.id FROM messages m
          WHERE m.status = ANY(?::text[]) AND m.created_at < ?
            AND NOT EXISTS (SELECT 1 FROM kept k WHERE k.id = m.id)
       )
       SELECT (SELECT count(*) FROM due) AS messages,
              (SELECT count(*) FROM delivery_events e JOIN due d ON d.id = e.message_id) AS events`,
      [ARCHIVABLE_STATUSES, cutoff, ARCHIVABLE_STATUSES, cutoff]
    )
    const { messages, events } = result.rows[0]
    return { messages: Number(messages), events: Number(events) }
  }

  /**
   * Settles the files an interrupted run left staged: their rows gone means
   * the delete committed (the file moves to its day); any row still there
   * means it did not (the file goes, the rows are archived again). Rows
   * another transaction holds belong to a batch in flight (a run that lost
   * its lock): that file is left alone.
   */
  async recover(): Promise<{ finalized: number; discarded: number }> {
    return withArchiveLock(async () => {
      const settled = { finalized: 0, discarded: 0 }
      for (const file of await this.directory.leftovers()) {
        const outcome = await this.settle(file)
        if (outcome) settled[outcome]++
      }
      return settled
    })
  }

  private async settle(file: StagedFile): Promise<'finalized' | 'discarded' | null> {
    const records = await ArchiveDirectory.read(file.stagedPath)
    const trx = await db.transaction()
    try {
      const remaining = await trx.rawQuery(
        'SELECT id FROM messages WHERE id = ANY(?::uuid[]) FOR UPDATE NOWAIT',
        [records.map((record) => record.message.id)]
      )
      if (remaining.rows.length === 0) {
        await this.directory.finalize(file)
      } else {
        await this.directory.discard(file)
      }
      await trx.commit()
      return remaining.rows.length === 0 ? 'finalized' : 'discarded'
    } catch (error) {
      await trx.rollback()
      if (error.code === LOCK_NOT_AVAILABLE) return null
      throw error
    }
  }

  async archive(cutoff: Date, options: ArchiveOptions): Promise<ArchivedBatch> {
    const total: ArchivedBatch = { messages: 0, events: 0, files: [] }
    while (!options.signal.aborted) {
      const batch = await this.archiveBatch(cutoff, options.batchSize)
      if (batch.messages === 0) break
      total.messages += batch.messages
      total.events += batch.events
      total.files.push(...batch.files)
      options.onBatch(batch)
    }
    return total
  }

  /** Under the archive's lock from staging to the rename, so no erasure runs in between */
  private async archiveBatch(cutoff: Date, batchSize: number): Promise<ArchivedBatch> {
    return withArchiveLock(() => this.archiveLockedBatch(cutoff, batchSize))
  }

  private async archiveLockedBatch(cutoff: Date, batchSize: number): Promise<ArchivedBatch> {
    const trx = await db.transaction()
    const staged: StagedFile[] = []
    let counts: ArchiveCounts
    try {
      const messages = await this.lockBatch(trx, cutoff, batchSize)
      const events = await this.eventsOf(trx, messages)
      for (const [day, records] of groupByDay(messages, events)) {
        staged.push(await this.directory.stage(day, records))
      }
      counts = await this.deleteArchived(trx, messages, events)
      await trx.commit()
    } catch (error) {
      // A failed commit may still have landed: the staged files stay for
      // recover() to settle by what the database holds
      await trx.rollback()
      throw error
    }
    for (const file of staged) {
      await this.directory.finalize(file)
    }
    return { ...counts, files: staged.map((file) => file.finalPath) }
  }

  private async lockBatch(trx: TransactionClientContract, cutoff: Date, batchSize: number) {
    const result = await trx.rawQuery(
      `SELECT m.id, to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, to_jsonb(m) AS row
         FROM messages m
        WHERE m.status = ANY(?::text[]) AND m.created_at < ?
          AND NOT EXISTS (SELECT 1 FROM messages c WHERE c.parent_message_id = m.id)
        ORDER BY m.created_at, m.id
        LIMIT ?
        FOR UPDATE OF m SKIP LOCKED`,
      [ARCHIVABLE_STATUSES, cutoff, batchSize]
    )
    return result.rows as BatchRow[]
  }

  private async eventsOf(trx: TransactionClientContract, messages: BatchRow[]) {
    const result = await trx.rawQuery(
      `SELECT e.id, e.message_id, to_jsonb(e) AS row FROM delivery_events e
        WHERE e.message_id = ANY(?::uuid[]) ORDER BY e.id`,
      [messages.map((message) => message.id)]
    )
    return result.rows as EventRow[]
  }

  /** Deletes exactly the rows written; any difference undoes the batch. */
  private async deleteArchived(
    trx: TransactionClientContract,
    messages: BatchRow[],
    events: EventRow[]
  ): Promise<ArchiveCounts> {
    await trx.rawQuery(`SET LOCAL switchboard.archiving = 'on'`)
    const deletedEvents = await trx.rawQuery(
      'DELETE FROM delivery_events WHERE id = ANY(?::bigint[])',
      [events.map((event) => event.id)]
    )
    const deletedMessages = await trx.rawQuery('DELETE FROM messages WHERE id = ANY(?::uuid[])', [
      messages.map((message) => message.id),
    ])
    if (deletedEvents.rowCount !== events.length || deletedMessages.rowCount !== messages.length) {
      throw new Error(
        `archive delete mismatch: wrote ${messages.length} messages and ${events.length} events, ` +
          `deleted ${deletedMessages.rowCount} and ${deletedEvents.rowCount}`
      )
    }
    return { messages: messages.length, events: events.length }
  }
}

/** The batch's records by day, each message with its events, in batch order. */
function groupByDay(messages: BatchRow[], events: EventRow[]) {
  const eventsByMessage = new Map<string, Record<string, unknown>[]>()
  for (const event of events) {
    const list = eventsByMessage.get(event.message_id) ?? []
    list.push(event.row)
    eventsByMessage.set(event.message_id, list)
  }
  const days = new Map<string, ArchivedMessage[]>()
  for (const message of messages) {
    const records = days.get(message.day) ?? []
    records.push({ message: message.row, events: eventsByMessage.get(message.id) ?? [] })
    days.set(message.day, records)
  }
  return days
}
