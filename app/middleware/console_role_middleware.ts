import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { ConsoleForbiddenException } from '#exceptions/console_exceptions'
import type { UserRole } from '#models/user'

/** Lets a signed-in person through only with one of the roles (runs after console auth). */
export default class ConsoleRoleMiddleware {
  async handle(ctx: HttpContext, next: NextFn, options: { roles: UserRole[] }) {
    if (!options.roles.includes(ctx.consoleUser.role)) {
      throw new ConsoleForbiddenException()
    }
    return next()
  }
}
