import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { SendMessage } from '#messaging/actions/send_message'
import { SendBulk } from '#messaging/actions/send_bulk'
import { ShowMessage } from '#messaging/actions/show_message'
import { CancelMessage } from '#messaging/actions/cancel_message'
import { SearchMessages } from '#messaging/actions/search_messages'
import { carriesConsoleSecret } from '#messaging/console_secret'
import { senderOf } from '#messaging/sender'
import { ChannelStats } from '#messaging/stats/channel_stats'
import { TenantQueueStats } from '#messaging/stats/tenant_queue_stats'
import { sendMessageValidator, sendBulkValidator } from '#validators/message'
import { searchMessagesValidator } from '#validators/message_search'

export default class MessagesController {
  /**
   * POST /api/v1/messages: 201 with the new message, 200 with the first one
   * when an idempotency key (header or field) is repeated.
   */
  @inject()
  async store({ request, response, tenant, apiKey }: HttpContext, sendMessage: SendMessage) {
    const payload = await request.validateUsing(sendMessageValidator)
    const idempotencyKey = request.header('Idempotency-Key')?.trim() || payload.idempotencyKey
    const { message, created } = await sendMessage.handle(senderOf(tenant, apiKey), {
      ...payload,
      idempotencyKey,
    })
    return response.status(created ? 201 : 200).send(message)
  }

  /** POST /api/v1/messages/bulk */
  @inject()
  async bulk({ request, response, tenant, apiKey }: HttpContext, sendBulk: SendBulk) {
    const payload = await request.validateUsing(sendBulkValidator)
    return response.status(201).send(await sendBulk.handle(senderOf(tenant, apiKey), payload))
  }

  /** GET /api/v1/messages: the tenant's messages newest first, filtered, a page at a time */
  @inject()
  async index({ request, tenant }: HttpContext, search: SearchMessages) {
    const { cursor, limit, ...filters } = await request.validateUsing(searchMessagesValidator, {
      data: request.qs(),
    })
    return search.handle({ tenantId: tenant.id }, filters, { cursor, limit })
  }

  /**
   * GET /api/v1/messages/:id. The console's own mail comes without its
   * content (null, and contentHidden: true): its body holds a live sign-in link.
   */
  @inject()
  async show({ params, tenant }: HttpContext, showMessage: ShowMessage) {
    const message = await showMessage.handle(tenant.id, params.id)
    if (!carriesConsoleSecret(message.messageType)) return message
    return { ...message.serialize(), content: null, contentHidden: true }
  }

  /** DELETE /api/v1/messages/:id */
  @inject()
  async destroy({ params, tenant }: HttpContext, cancelMessage: CancelMessage) {
    return cancelMessage.handle(tenant.id, params.id)
  }

  /** GET /api/v1/messages/stats/queue: the tenant's own backlog, never the shared queues' */
  @inject()
  async queueStats({ tenant }: HttpContext, stats: TenantQueueStats) {
    return stats.forTenant(tenant.id)
  }

  /** GET /api/v1/messages/stats/channels */
  @inject()
  async channelStats({ tenant }: HttpContext, stats: ChannelStats) {
    return stats.forTenant(tenant.id)
  }
}
