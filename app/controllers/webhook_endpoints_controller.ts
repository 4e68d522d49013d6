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
  async index({ tenant }: HttpContext) {
    return { webhooks: await this.endpoints.list(tenant.id) }
  }

  /** POST /api/v1/webhooks: 201 with the secret in full, this once */
  async store({ request, response, tenant, apiKey }: HttpContext) {
    const payload = await request.validateUsing(createWebhookEndpointValidator)
    return response
      .status(201)
      .send(await this.endpoints.create(tenant.id, payload, apiKeyActor(apiKey)))
  }

  /** POST /api/v1/webhooks/:id/test: 202 with the queued event's id */
  async test({ params, response, tenant }: HttpContext) {
    const event = await this.endpoints.test(tenant.id, params.id)
    return response.accepted({ queued: true, eventId: event.id })
  }

  /** POST /api/v1/webhooks/:id/enable: the endpoint, enabled, its run of failures forgotten */
  async enable({ params, tenant, apiKey }: HttpContext) {
    return this.endpoints.enable(tenant.id, params.id, apiKeyActor(apiKey))
  }

  /** POST /api/v1/webhooks/:id/replay: 202 with how many missed events were queued again */
  async replay({ params, request, response, tenant, apiKey }: HttpContext) {
    const { since } = await request.validateUsing(replayWebhookDeliveriesValidator)
    const actor = apiKeyActor(apiKey)
    const replayed = await this.endpoints.replay(tenant.id, params.id, since ?? null, actor)
    return response.accepted({ replayed })
  }

  /** DELETE /api/v1/webhooks/:id: 204 */
  async destroy({ params, response, tenant, apiKey }: HttpContext) {
    await this.endpoints.delete(tenant.id, params.id, apiKeyActor(apiKey))
    return response.noContent()
  }
}
