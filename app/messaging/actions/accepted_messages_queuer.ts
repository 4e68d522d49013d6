import logger from '@adonisjs/core/services/logger'
import type { NewMessage } from '#messaging/outbox/message_store'
import type { MessageQueues, QueuedMessage } from '#messaging/queueing/message_queues'
import { announce } from '#messaging/message_announcer'

/**
 * Puts committed messages on their priority's queue and announces them
 * (`message:queued`). Only ever called after the rows are committed.
 */
export class AcceptedMessagesQueuer {
  constructor(
    private queues: MessageQueues,
    /** Jobs per addBulk call */
    private chunkSize: number
  ) {}

  /**
   * The rows are committed: if Redis refuses the jobs now, the messages are
   * still accepted and the stuck-message sweeper queues them.
   */
  async queue(messages: NewMessage[]) {
    try {
      await this.queues.enqueue(
        messages.map((message) => this.#queued(message)),
        this.chunkSize
      )
    } catch (error) {
      logger.error(
        {
          err: error,
          messageIds: messages.slice(0, 10).map((message) => message.id),
          count: messages.length,
        },
        'messages stored but not queued; the sweeper will queue them'
      )
    }
    await announce(
      'message:queued',
      messages.map((message) => ({
        messageId: message.id,
        tenantId: message.tenantId,
        channel: message.channel,
        priority: message.priority,
        occurredAt: new Date(),
      }))
    )
  }

  #queued(message: NewMessage): QueuedMessage {
    return {
      id: message.id,
      priority: message.priority,
      delayMs: message.scheduledAt ? message.scheduledAt.getTime() - Date.now() : 0,
    }
  }
}
