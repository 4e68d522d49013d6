import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { Priority } from '#enums/priority'
import { MessageStore } from '#messaging/outbox/message_store'
import { MessageQueues } from '#messaging/queueing/message_queues'

const DRAIN_REASON = 'drained by operator'

export interface DrainOptions {
  /** Messages canceled per statement (and jobs removed per round) */
  batchSize?: number
  /** Called after each batch with the running total */
  onProgress?: (canceled: number) => void
}

/**
 * Empties one priority for good. PostgreSQL decides what is owed: emptying
 * only the BullMQ queue would be undone by the outbox sweeper, which queues
 * every `queued` row that has no job. So a drain cancels the priority's
 * queued messages in the database (each with a `canceled` event) and then
 * removes their jobs. Messages already sending finish; scheduled ones stay
 * (they are not in line yet); messages accepted after the drain began are
 * left alone, so a drain always ends.
 */
@inject()
export class QueueDrainer {
  constructor(
    private store: MessageStore,
    private queues: MessageQueues
  ) {}

  /** How many messages a drain of this priority would cancel now. */
  async pending(priority: Priority) {
    const row = await db
      .from('messages')
      .where('priority', priority)
      .where('status', 'queued')
      .count('* as count')
      .first()
    return Number(row?.count ?? 0)
  }

  /** Returns how many messages were canceled. */
  async drain(priority: Priority, { batchSize = 1000, onProgress }: DrainOptions = {}) {
    const acceptedBefore = new Date()
    let canceled = 0
    for (;;) {
      const ids = await this.store.cancelQueued(priority, acceptedBefore, batchSize, DRAIN_REASON)
      if (ids.length === 0) break
      // A job a worker already holds is not removed: it finds its message canceled and drops itself
      await this.queues.discardFrom(priority, ids)
      canceled += ids.length
      onProgress?.(canceled)
    }
    return canceled
  }
}
