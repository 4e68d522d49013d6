import { inject } from '@adonisjs/core'
import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import type { Infer } from '@vinejs/vine/types'
import Conversation from '#models/conversation'
import { ConversationNotFoundException } from '#exceptions/conversation_exceptions'
import { SendMessage } from '#messaging/actions/send_message'
import type { SendRequest } from '#messaging/actions/message_requests'
import type { Sender } from '#messaging/sender'
import type { listConversationsValidator } from '#validators/conversation'

export type ConversationFilters = Infer<typeof listConversationsValidator>

const DEFAULT_PAGE_SIZE = 25

/** A tenant's conversations: read them, and answer one through the normal outbound pipeline. */
@inject()
export class ConversationService {
  constructor(private sendMessage: SendMessage) {}

  /** Newest activity first, each with its contact. */
  async list(tenantId: string, filters: ConversationFilters) {
    return Conversation.query()
      .where('tenant_id', tenantId)
      .if(filters.status, (query) => query.where('status', filters.status!))
      .if(filters.channel, (query) => query.where('channel', filters.channel!))
      .preload('contact')
      .orderBy('last_message_at', 'desc')
      .orderBy('id', 'desc')
      .paginate(filters.page ?? 1, filters.perPage ?? DEFAULT_PAGE_SIZE)
  }

  /** One conversation with its contact and its messages, oldest first. */
  async find(tenantId: string, id: string) {
    if (!vine.helpers.isUUID(id)) {
      throw new ConversationNotFoundException()
    }
    const conversation = await Conversation.query()
      .where('tenant_id', tenantId)
      .where('id', id)
      .preload('contact')
      .preload('messages', (messages) => messages.orderBy('created_at', 'asc').orderBy('id', 'asc'))
      .first()
    if (!conversation) {
      throw new ConversationNotFoundException()
    }
    return conversation
  }

  /**
   * Send a reply to the contact: a message like any other (suppression,
   * queueing, routing), linked to the conversation. The request is the reply
   * already validated as a direct send to the conversation's contact.
   */
  async reply(sender: Sender, conversation: Conversation, request: SendRequest) {
    const { message } = await this.sendMessage.handle(sender, request, {
      conversationId: conversation.id,
    })
    conversation.lastMessageAt = DateTime.now()
    await conversation.save()
    return message
  }
}
