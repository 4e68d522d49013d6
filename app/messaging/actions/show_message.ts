import Message from '#models/message'
import { MessageNotFoundException } from '#exceptions/domain_exceptions'
import { assertMessageId } from '#messaging/actions/message_lookup'

/** A message with its event history, if it belongs to the tenant. */
export class ShowMessage {
  async handle(tenantId: string, id: string) {
    assertMessageId(id)
    const message = await Message.query()
      .where('tenant_id', tenantId)
      .where('id', id)
      .preload('events', (events) => events.orderBy('id', 'asc'))
      .first()
    if (!message) {
      throw new MessageNotFoundException()
    }
    return message
  }
}
