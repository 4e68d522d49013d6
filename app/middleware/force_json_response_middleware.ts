import type { HttpContext } from '@adonisjs/core/http'
import type { NextFn } from '@adonisjs/core/types/http'
import { isConsoleRequest } from '#console/console_paths'

/**
 * The API answers JSON whatever the client's Accept header says. The console
 * (HTML pages for people) is left to negotiate.
 */
export default class ForceJsonResponseMiddleware {
  async handle({ request }: HttpContext, next: NextFn) {
    if (!isConsoleRequest(request.url())) {
      request.headers().accept = 'application/json'
    }
    return next()
  }
}
