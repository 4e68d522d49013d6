import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { apiKeyActor } from '#messaging/audit/audit_actors'
import { SuppressionService } from '#messaging/suppression/suppression_service'
import { createSuppressionValidator, listSuppressionsValidator } from '#validators/suppression'

@inject()
export default class SuppressionsController {
  constructor(private suppressions: SuppressionService) {}

  /** GET /api/v1/suppressions: the tenant's own and the global entries, filtered, paginated */
  async index({ request, tenant }: HttpContext) {
    const filters = await request.validateUsing(listSuppressionsValidator, { data: request.qs() })
    return this.suppressions.list({ tenantId: tenant.id }, filters)
  }

  /** POST /api/v1/suppressions: 201 with a new entry, 200 with the one already there */
  async store({ request, response, tenant, apiKey }: HttpContext) {
    const payload = await request.validateUsing(createSuppressionValidator)
    const { suppression, created } = await this.suppressions.add(
      { ...payload, tenantId: tenant.id, source: 'api' },
      apiKeyActor(apiKey)
    )
    return response.status(created ? 201 : 200).send(suppression)
  }

  /** DELETE /api/v1/suppressions/:id: 204; only the tenant's own entries */
  async destroy({ params, response, tenant, apiKey }: HttpContext) {
    await this.suppressions.remove(tenant.id, params.id, apiKeyActor(apiKey))
    return response.noContent()
  }
}
