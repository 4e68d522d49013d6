import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { TenantSuspendedException } from '#exceptions/domain_exceptions'

/**
 * Authenticates the tenant behind `Authorization: Bearer <api key>`.
 */
export default class AuthMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    const tenant = await ctx.auth.authenticateUsing(['api'])
    if (tenant.status !== 'active') {
      throw new TenantSuspendedException()
    }
    return next()
  }
}
