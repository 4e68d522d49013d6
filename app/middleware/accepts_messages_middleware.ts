import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { TenantSuspendedException } from '#exceptions/domain_exceptions'

/**
 * On the routes that accept messages: a suspended tenant sends nothing new.
 * Everything else (reads, configuration, canceling what waits) still works.
 */
export default class AcceptsMessagesMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (ctx.tenant.status !== 'active') {
      throw new TenantSuspendedException()
    }
    return next()
  }
}
