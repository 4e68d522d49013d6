import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ConversationService } from '#messaging/conversations/conversation_service'
import { senderOf } from '#messaging/sender'
import { listConversationsValidator, replyConversationValidator } from '#validators/conversation'
import { sendMessageValidator } from '#validators/message'

@inject()
export default class ConversationsController {
  constructor(private conversations: ConversationService) {}

  /** GET /api/v1/conversations: newest activity first, filtered by status or channel, paginated */
  async index({ request, tenant }: HttpContext) {
    const filters = await request.validateUsing(listConversationsValidator, { data: request.qs() })
    return this.conversations.list(tenant.id, filters)
  }

  /** GET /api/v1/conversations/:id: with its contact and messages in order */
  async show({ params, tenant }: HttpContext) {
    return this.conversations.find(tenant.id, params.id)
  }

  /**
   * POST /api/v1/conversations/:id/reply: 201 with the reply, a message sent
   * like any other. The send validator checks the reply against the
   * conversation's channel and contact as it would a direct send.
   */
  async reply({ params, request, response, tenant, apiKey }: HttpContext) {
    const reply = await request.validateUsing(replyConversationValidator)
    const conversation = await this.conversations.find(tenant.id, params.id)
    const send = await sendMessageValidator.validate({
      channel: conversation.channel,
      recipient: conversation.contact.address,
      subject: reply.subject,
      content: reply.content,
      messageType: 'conversation',
    })
    return response
      .status(201)
      .send(await this.conversations.reply(senderOf(tenant, apiKey), conversation, send))
  }
}
