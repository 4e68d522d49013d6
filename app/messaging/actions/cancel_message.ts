import { inject } from '@adonisjs/core'
import logger from '@adonisjs/core/services/logger'
import {
  MessageNotCancelableException,
  MessageNotFoundException,
} from '#exceptions/domain_exceptions'
import { MessageStore } from '#messaging/outbox/message_store'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { assertMessageId, tenantMessage } from '#messaging/actions/message_lookup'

/** Cancel a message that has not started sending. */
@inject()
export class CancelMessage {
  constructor(
    private store: MessageStore,
    private queues: MessageQueues
  ) {}

  async handle(tenantId: string, id: string) {
    assertMessageId(id)
    const outcome = await this.store.cancel(tenantId, id)
    if (!outcome.canceled) {
      if (!outcome.status) {
        throw new MessageNotFoundException()
      }
      throw new MessageNotCancelableException(outcome.status)
    }
    await this.queues.discard(id).catch((error) => {
      // A leftover job finds the message canceled and drops itself.
      logger.warn({ messageId: id, err: error }, 'could not remove the canceled message job')
    })
    return tenantMessage(tenantId, id)
  }
}
