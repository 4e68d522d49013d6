import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { apiKeyActor } from '#messaging/audit/audit_actors'
import { WebhookEndpointService } from '#messaging/tenant_webhooks/webhook_endpoint_service'
import {
  createWebhookEndpointValidator,
  replayWebhookDeliveriesValidator,
} from '#validators/webhook_endpoint'

@inject()
export default class WebhookEndpointsController {
  constructor(private endpoints: WebhookEndpointService) {}

  /** GET /api/v1/webhooks: secrets masked */
  async index({ auth }: HttpContext) {
    return { webhooks: await this.endpoints.list(auth.user!.id) }
  }

  /** POST /api/v1/webhooks: 201 with the secret in full, this once */
  async store({ request, response, auth, apiKey }: HttpContext) {
    const payload = await request.validateUsing(createWebhookEndpointValidator)
    return response
      .status(201)
      .send(await this.endpoints.create(auth.user!.id, payload, apiKeyActor(apiKey)))
  }

  /** POST /api/v1/webhooks/:id/test: 202 with the queued event's id */
  async test({ params, response, auth }: HttpContext) {
    const event = await this.endpoints.test(auth.user!.id, params.id)
    return response.accepted({ queued: true, eventId: event.id })
  }

  /** POST /api/v1/webhooks/:id/enable: the endpoint, enabled, its run of failures forgotten */
  async enable({ params, auth, apiKey }: HttpContext) {
    return this.endpoints.enable(auth.user!.id, params.id, apiKeyActor(apiKey))
  }

  /** POST /api/v1/webhooks/:id/replay: 202 with how many missed events were queued again */
  async replay({ params, request, response, auth, apiKey }: HttpContext) {
    const { since } = await request.validateUsing(replayWebhookDeliveriesValidator)
    const actor = apiKeyActor(apiKey)
    const replayed = await this.endpoints.replay(auth.user!.id, params.id, since ?? null, actor)
    return response.accepted({ replayed })
  }

  /** DELETE /api/v1/webhooks/:id: 204 */
  async destroy({ params, response, auth, apiKey }: HttpContext) {
    await this.endpoints.delete(auth.user!.id, params.id, apiKeyActor(apiKey))
    return response.noContent()
  }
}
