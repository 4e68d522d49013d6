import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { ConversationService } from '#messaging/conversations/conversation_service'
import { senderOf } from '#messaging/sender'
import { listConversationsValidator, replyConversationValidator } from '#validators/conversation'

@inject()
export default class ConversationsController {
  constructor(private conversations: ConversationService) {}

  /** GET /api/v1/conversations: newest activity first, filtered by status or channel, paginated */
  async index({ request, auth }: HttpContext) {
    const filters = await request.validateUsing(listConversationsValidator, { data: request.qs() })
    return this.conversations.list(auth.user!.id, filters)
  }

  /** GET /api/v1/conversations/:id: with its contact and messages in order */
  async show({ params, auth }: HttpContext) {
    return this.conversations.find(auth.user!.id, params.id)
  }

  /** POST /api/v1/conversations/:id/reply: 201 with the reply, a message sent like any other */
  async reply({ params, request, response, auth, apiKey }: HttpContext) {
    const payload = await request.validateUsing(replyConversationValidator)
    return response
      .status(201)
      .send(await this.conversations.reply(senderOf(auth.user!, apiKey), params.id, payload))
  }
}
