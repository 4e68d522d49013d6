import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { apiKeyActor } from '#messaging/audit/audit_actors'
import { TemplateService } from '#messaging/templates/template_service'
import {
  createTemplateValidator,
  listTemplatesValidator,
  previewTemplateValidator,
  updateTemplateValidator,
} from '#validators/template'

@inject()
export default class TemplatesController {
  constructor(private templates: TemplateService) {}

  /** GET /api/v1/templates: every version, filtered by channel, name or locale, paginated */
  async index({ request, tenant }: HttpContext) {
    const filters = await request.validateUsing(listTemplatesValidator, { data: request.qs() })
    return this.templates.list(tenant.id, filters)
  }

  /** POST /api/v1/templates: version 1 of a new template */
  async store({ request, response, tenant, apiKey }: HttpContext) {
    const payload = await request.validateUsing(createTemplateValidator)
    return response
      .status(201)
      .send(await this.templates.create(tenant.id, payload, apiKeyActor(apiKey)))
  }

  /** GET /api/v1/templates/:id: one version */
  async show({ params, tenant }: HttpContext) {
    return this.templates.find(tenant.id, params.id)
  }

  /** PUT /api/v1/templates/:id: 201 with the template's next version, a new row with its own id */
  async update({ params, request, response, tenant, apiKey }: HttpContext) {
    const payload = await request.validateUsing(updateTemplateValidator)
    return response
      .status(201)
      .send(await this.templates.addVersion(tenant.id, params.id, payload, apiKeyActor(apiKey)))
  }

  /** POST /api/v1/templates/:id/preview: the version rendered with the given variables */
  async preview({ params, request, tenant }: HttpContext) {
    const { variables } = await request.validateUsing(previewTemplateValidator)
    return this.templates.preview(tenant.id, params.id, variables ?? {})
  }
}
