import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { MissingScopeException } from '#exceptions/domain_exceptions'
import type { ApiKeyScope } from '#messaging/tenants/api_key_scopes'

/** Lets the request through only if its API key holds the scope. */
export default class ScopeMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { scope: ApiKeyScope }) {
    if (!ctx.apiKey.scopes.includes(options.scope)) {
      throw new MissingScopeException(options.scope)
    }
    return next()
  }
}
