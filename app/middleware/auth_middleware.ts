import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import type { ApiKeyIdentity, ApiKeyScope } from '#messaging/tenants/api_key_scopes'
import { kindOf } from '#models/tenant_api_keys'
import type Tenant from '#models/tenant'

/**
 * Authenticates the tenant behind `Authorization: Bearer <api key>` and
 * keeps the key's identity (id, scopes, kind) on the context as `apiKey`,
 * and the tenant as `tenant`.
 */
export default class AuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const tenant = await ctx.auth.use('api').authenticate()
    const token = tenant.currentAccessToken
    ctx.tenant = tenant
    ctx.apiKey = {
      id: String(token.identifier),
      tenantId: tenant.id,
      scopes: token.abilities as ApiKeyScope[],
      kind: kindOf(token),
    }
    return next()
  }
}

declare module '@adonisjs/core/http' {
  interface HttpContext {
    /** Set by the auth middleware on every `/api/v1` request */
    apiKey: ApiKeyIdentity
    /** The tenant whose API key made the request (set with `apiKey`) */
    tenant: Tenant
  }
}
