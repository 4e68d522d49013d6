import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { apiKeyActor } from '#messaging/audit/audit_actors'
import { ProviderConfigService } from '#messaging/provider_configs/provider_config_service'
import { providerConfigValidator } from '#messaging/accounts/provider_config_schema'
import { updateProviderValidator } from '#validators/provider'

@inject()
export default class ProvidersController {
  constructor(private providers: ProviderConfigService) {}

  /** GET /api/v1/providers */
  async index({ tenant }: HttpContext) {
    return { providers: await this.providers.list(tenant.id) }
  }

  /** POST /api/v1/providers: 201 with the provider, its secret masked */
  async store({ request, response, tenant, apiKey }: HttpContext) {
    const payload = await request.validateUsing(providerConfigValidator)
    return response
      .status(201)
      .send(await this.providers.create(tenant.id, payload, apiKeyActor(apiKey)))
  }

  /** GET /api/v1/providers/:id */
  async show({ params, tenant }: HttpContext) {
    return this.providers.find(tenant.id, params.id)
  }

  /** PATCH /api/v1/providers/:id */
  async update({ params, request, tenant, apiKey }: HttpContext) {
    const changes = await request.validateUsing(updateProviderValidator)
    return this.providers.update(tenant.id, params.id, changes, apiKeyActor(apiKey))
  }

  /** DELETE /api/v1/providers/:id: 204 */
  async destroy({ params, response, tenant, apiKey }: HttpContext) {
    await this.providers.delete(tenant.id, params.id, apiKeyActor(apiKey))
    return response.noContent()
  }

  /** POST /api/v1/providers/:id/test: 200 with {ok, detail}, whatever the outcome */
  async test({ params, tenant }: HttpContext) {
    return this.providers.test(tenant.id, params.id)
  }
}
