import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { CONSOLE_PREFIX } from '#console/console_paths'

/** The sign-in and reset pages are for signed-out visitors: the signed-in go home. */
export default class ConsoleGuestMiddleware {
  async handle(ctx: HttpContext, next: NextFn) {
    if (await ctx.auth.use('web').check()) return ctx.response.redirect(CONSOLE_PREFIX)
    return next()
  }
}
