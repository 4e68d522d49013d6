import type { Logger } from '@adonisjs/core/logger'
import { DeliveryEventType } from '#enums/delivery_event_type'
import type { SendFallback } from '#messaging/actions/send_fallback'
import type { ClaimedMessage, MessageStore } from '#messaging/outbox/message_store'

/**
 * Cross-channel fallback: when a message that names fallback channels fails
 * for good (or its recipient turns out suppressed at send time), the next
 * channel's linked message is created and queued, and the failed message's
 * events say which.
 */
export class ChannelFallback {
  constructor(
    private sendFallback: SendFallback,
    private store: MessageStore,
    private logger: Logger
  ) {}

  async after(message: ClaimedMessage) {
    if (!message.fallback?.length) return
    try {
      const next = await this.sendFallback.handle(message)
      await this.store.note(message.id, {
        type: DeliveryEventType.Failover,
        reason: next
          ? `falling back to ${next.channel}`
          : 'no fallback channel left: every fallback recipient is suppressed or invalid',
        details: next ? { fallbackMessageId: next.id, channel: next.channel } : null,
      })
      this.logger.info(
        { messageId: message.id, fallbackMessageId: next?.id, channel: next?.channel },
        next ? 'message falls back to another channel' : 'no fallback channel left'
      )
    } catch (error) {
      // The message itself is already failed; its fallback is what is lost here
      this.logger.error(
        { messageId: message.id, err: error },
        'could not create the fallback message'
      )
    }
  }
}
