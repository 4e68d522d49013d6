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
  async index({ request, auth }: HttpContext) {
    const filters = await request.validateUsing(listTemplatesValidator, { data: request.qs() })
    return this.templates.list(auth.user!.id, filters)
  }

  /** POST /api/v1/templates: version 1 of a new template */
  async store({ request, response, auth, apiKey }: HttpContext) {
    const payload = await request.validateUsing(createTemplateValidator)
    return response
      .status(201)
      .send(await this.templates.create(auth.user!.id, payload, apiKeyActor(apiKey)))
  }

  /** GET /api/v1/templates/:id: one version */
  async show({ params, auth }: HttpContext) {
    return this.templates.find(auth.user!.id, params.id)
  }

  /** PUT /api/v1/templates/:id: 201 with the template's next version, a new row with its own id */
  async update({ params, request, response, auth, apiKey }: HttpContext) {
    const payload = await request.validateUsing(updateTemplateValidator)
    return response
      .status(201)
      .send(await this.templates.addVersion(auth.user!.id, params.id, payload, apiKeyActor(apiKey)))
  }

  /** POST /api/v1/templates/:id/preview: the version rendered with the given variables */
  async preview({ params, request, auth }: HttpContext) {
    const { variables } = await request.validateUsing(previewTemplateValidator)
    return this.templates.preview(auth.user!.id, params.id, variables ?? {})
  }
}
