import vine from '@vinejs/vine'
import { CHANNELS } from '#enums/channel'
import { CONVERSATION_STATUSES } from '#enums/conversation_status'

export const listConversationsValidator = vine.compile(
  vine.object({
    status: vine.enum(CONVERSATION_STATUSES).optional(),
    channel: vine.enum(CHANNELS).optional(),
    page: vine.number().withoutDecimals().min(1).optional(),
    perPage: vine.number().withoutDecimals().range([1, 100]).optional(),
  })
)

/**
 * The shape of a reply; what its channel needs (a subject for email, text
 * that fits an SMS) is checked by the send validator once the channel is known.
 */
export const replyConversationValidator = vine.compile(
  vine.object({
    subject: vine.string().trim().maxLength(998).optional(),
    content: vine.object({
      text: vine.string().minLength(1).maxLength(100_000),
      html: vine.string().maxLength(2_000_000).optional(),
    }),
  })
)
