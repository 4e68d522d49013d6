import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { MessageService } from '#messaging/message_service'
import { senderOf } from '#messaging/sender'
import { ChannelStats } from '#messaging/stats/channel_stats'
import { TenantQueueStats } from '#messaging/stats/tenant_queue_stats'
import { sendMessageValidator, sendBulkValidator } from '#validators/message'

@inject()
export default class MessagesController {
  constructor(private messages: MessageService) {}

  /**
   * POST /api/v1/messages: 201 with the new message, 200 with the first one
   * when an idempotency key (header or field) is repeated.
   */
  async store({ request, response, auth, apiKey }: HttpContext) {
    const payload = await request.validateUsing(sendMessageValidator)
    const idempotencyKey = request.header('Idempotency-Key')?.trim() || payload.idempotencyKey
    const { message, created } = await this.messages.send(senderOf(auth.user!, apiKey), {
      ...payload,
      idempotencyKey,
    })
    return response.status(created ? 201 : 200).send(message)
  }

  /** POST /api/v1/messages/bulk */
  async bulk({ request, response, auth, apiKey }: HttpContext) {
    const payload = await request.validateUsing(sendBulkValidator)
    return response
      .status(201)
      .send(await this.messages.sendBulk(senderOf(auth.user!, apiKey), payload))
  }

  /** GET /api/v1/messages/:id */
  async show({ params, auth }: HttpContext) {
    return this.messages.status(auth.user!.id, params.id)
  }

  /** DELETE /api/v1/messages/:id */
  async destroy({ params, auth }: HttpContext) {
    return this.messages.cancel(auth.user!.id, params.id)
  }

  /** GET /api/v1/messages/stats/queue: the tenant's own backlog, never the shared queues' */
  @inject()
  async queueStats({ auth }: HttpContext, stats: TenantQueueStats) {
    return stats.forTenant(auth.user!.id)
  }

  /** GET /api/v1/messages/stats/channels */
  @inject()
  async channelStats({ auth }: HttpContext, stats: ChannelStats) {
    return stats.forTenant(auth.user!.id)
  }
}
