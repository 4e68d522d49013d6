import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { CONSOLE_LOGIN_PATH } from '#console/console_paths'
import { tenantIdOf } from '#console/console_scope'
import { TenantDirectory } from '#messaging/tenants/tenant_directory'

/**
 * Console pages need a signed-in person (someone with two-factor turned on is
 * signed in only once their code was accepted); anyone else is sent to the
 * sign-in page, and a disabled account is signed out.
 */
@inject()
export default class ConsoleAuthMiddleware {
  constructor(private tenants: TenantDirectory) {}

  async handle(ctx: HttpContext, next: NextFn) {
    const web = ctx.auth.use('web')
    const user = (await web.check()) ? web.user : undefined
    if (!user || user.disabledAt) {
      if (user) await web.logout()
      // An htmx refresh (the overview, a timeline) would swap the sign-in page into its slot
      if (ctx.request.header('hx-request')) {
        return ctx.response.header('HX-Redirect', CONSOLE_LOGIN_PATH).noContent()
      }
      return ctx.response.redirect(CONSOLE_LOGIN_PATH)
    }
    ctx.consoleUser = user
    // Signed-in pages may show what was meant to be seen once (an invite link, a two-factor key, a
    // message's content): never kept by the browser or a proxy, so Back after sign-out shows nothing
    ctx.response.header('Cache-Control', 'no-store')
    // An operator's header lists the tenants to switch between; an htmx fragment (the 5 s
    // refreshes) has no header, so it is spared the query
    const consoleTenants =
      user.isOperator && !ctx.request.header('hx-request') ? await this.tenants.names() : null
    ctx.view.share({ currentUser: user, consoleTenants, consoleTenantId: tenantIdOf(ctx) })
    return next()
  }
}
