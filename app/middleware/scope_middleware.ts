import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { MissingScopeException, TenantSuspendedException } from '#exceptions/domain_exceptions'
import type { ApiKeyScope } from '#messaging/tenants/api_key_scopes'

/**
 * Lets the request through only if its API key holds the scope. A suspended
 * tenant may still read and manage, but sends nothing.
 */
export default class ScopeMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { scope: ApiKeyScope }) {
    if (!ctx.apiKey.scopes.includes(options.scope)) {
      throw new MissingScopeException(options.scope)
    }
    if (options.scope === 'send' && ctx.auth.user?.status !== 'active') {
      throw new TenantSuspendedException()
    }
    return next()
  }
}
