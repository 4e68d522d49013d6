import { inject } from '@adonisjs/core'
import { MessageStore, type ClaimedMessage } from '#messaging/outbox/message_store'
import { SuppressionList } from '#messaging/suppression/suppression_list'
import { checkRecipient } from '#messaging/recipients/recipient_rules'
import { newMessage } from '#messaging/actions/new_message'
import { AcceptedMessagesQueuer } from '#messaging/actions/accepted_messages_queuer'

/**
 * The next step of a failed message's fallback chain: a message linked to it
 * (parent_message_id) on the step's channel, to the step's recipient, with the
 * same content, queued like any other and carrying the rest of the chain.
 * Steps whose recipient is suppressed are passed over. Done at most once per
 * parent (its idempotency key), whoever asks again. Not counted against the
 * quotas: the tenant asked for one message, and a test message's fallback is
 * a test message too.
 */
@inject()
export class SendFallback {
  constructor(
    private store: MessageStore,
    private suppressions: SuppressionList,
    private queuer: AcceptedMessagesQueuer
  ) {}

  async handle(parent: ClaimedMessage) {
    const steps = parent.fallback ?? []
    for (const [index, step] of steps.entries()) {
      const check = checkRecipient(step.channel, step.recipient)
      if (
        !check.valid ||
        (await this.suppressions.isSuppressed(parent.tenant_id, step.channel, check.address))
      ) {
        continue
      }
      const message = newMessage(
        parent.tenant_id,
        {
          channel: step.channel,
          priority: parent.priority,
          messageType: parent.message_type,
          subject: parent.subject ?? undefined,
          content: parent.content,
          metadata: parent.metadata,
        },
        {
          recipient: check.address,
          recipientDomain: check.domain,
          variables: undefined,
          suppressed: false,
        }
      )
      message.idempotencyKey = `fallback-of:${parent.id}`
      message.parentMessageId = parent.id
      message.test = parent.is_test
      message.fallback = steps.slice(index + 1)
      const stored = await this.store.insertIdempotent(message)
      if (stored.created) {
        await this.queuer.queue([message])
      }
      return { id: stored.id, channel: step.channel }
    }
    return null
  }
}
