import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import vine from '@vinejs/vine'
import { TenantDirectory } from '#messaging/tenants/tenant_directory'
import { selectTenant } from '#console/console_scope'
import { ConsoleNotFoundException } from '#exceptions/console_exceptions'

// `all`: every tenant at once
const switchValidator = vine.compile(
  vine.object({ tenantId: vine.string().regex(/^(all|[0-9a-f-]{36})$/i) })
)

/** An operator picks the tenant the console works on (none: every tenant and the system's). */
export default class TenantSwitchController {
  /** POST /console/tenant */
  @inject()
  async store(ctx: HttpContext, tenants: TenantDirectory) {
    const { tenantId: choice } = await ctx.request.validateUsing(switchValidator)
    const tenantId = choice === 'all' ? null : choice
    if (tenantId && !(await tenants.exists(tenantId))) throw new ConsoleNotFoundException()
    selectTenant(ctx, tenantId)
    return ctx.response.redirect().back()
  }
}
