import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { apiKeyActor } from '#messaging/audit/audit_actors'
import { IssueApiKey } from '#messaging/tenants/issue_api_key'
import { ListApiKeys } from '#messaging/tenants/list_api_keys'
import { RotateApiKey } from '#messaging/tenants/rotate_api_key'
import { RevokeApiKey } from '#messaging/tenants/revoke_api_key'
import { issueApiKeyValidator, rotateApiKeyValidator } from '#validators/api_key'

/** The key making the request changes keys, within what it may grant itself. */
function changer({ apiKey }: HttpContext) {
  return { actor: apiKeyActor(apiKey), key: apiKey }
}

export default class ApiKeysController {
  /** GET /api/v1/keys: masked, never a secret */
  @inject()
  async index({ tenant }: HttpContext, list: ListApiKeys) {
    return { keys: await list.handle(tenant) }
  }

  /** POST /api/v1/keys: 201 with the key and its secret, shown this once */
  @inject()
  async store(ctx: HttpContext, issue: IssueApiKey) {
    const payload = await ctx.request.validateUsing(issueApiKeyValidator)
    const key = await issue.handle(ctx.tenant, payload, changer(ctx))
    return ctx.response.status(201).send(key)
  }

  /** POST /api/v1/keys/:id/rotate: 201 with the new key's secret and when the old one stops */
  @inject()
  async rotate(ctx: HttpContext, rotate: RotateApiKey) {
    const { graceSeconds = 0 } = await ctx.request.validateUsing(rotateApiKeyValidator)
    const key = await rotate.handle(ctx.tenant, String(ctx.params.id), graceSeconds, changer(ctx))
    return ctx.response.status(201).send(key)
  }

  /** DELETE /api/v1/keys/:id: 204; the key gets 401 from now on */
  @inject()
  async destroy(ctx: HttpContext, revoke: RevokeApiKey) {
    await revoke.handle(ctx.tenant, String(ctx.params.id), changer(ctx))
    return ctx.response.noContent()
  }
}
