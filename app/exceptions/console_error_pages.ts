import type { HttpContext } from '@adonisjs/core/http'
import { errors as vineErrors } from '@vinejs/vine'
import { errors as authErrors } from '@adonisjs/auth'
import { CONSOLE_LOGIN_PATH } from '#console/console_paths'
import type { ApiError } from '#exceptions/api_error'

const TITLES: Record<number, string> = {
  400: 'That request could not be read',
  403: 'Not allowed',
  404: 'Not found',
  409: 'That changed meanwhile',
  422: 'That could not be saved',
  429: 'Too many attempts',
  503: 'A backing service is unavailable',
}

/**
 * Form inputs never kept in the session to refill a form: the CSRF token,
 * passwords (the account page's current one too) and credentials (a form
 * names its credential inputs `secrets[…]`).
 */
const NOT_REFILLED = [
  '_csrf',
  '_method',
  'password',
  'password_confirmation',
  'currentPassword',
  'secrets',
]

/**
 * Console errors for people: a form's validation errors go back to the form
 * beside their fields (flash messages), another refused change goes back with
 * its message on top, and a page that cannot be shown says why in HTML. An
 * expired CSRF token is a 403 that signs nobody in. An htmx request (Test
 * connection) gets a notice for its slot instead: a redirect would be
 * followed and a whole page swapped into the slot.
 */
export async function renderConsoleError(
  error: unknown,
  status: number,
  errors: ApiError[],
  ctx: HttpContext
) {
  const { request, response, session } = ctx
  const isHtmx = request.header('hx-request') !== undefined
  if (error instanceof authErrors.E_UNAUTHORIZED_ACCESS) {
    return isHtmx
      ? response.header('HX-Redirect', CONSOLE_LOGIN_PATH).noContent()
      : response.redirect(CONSOLE_LOGIN_PATH)
  }
  const isCsrf = (error as { code?: unknown }).code === 'E_BAD_CSRF_TOKEN'
  if (isHtmx) {
    // With the error's own status: an element marked data-swap-errors shows it (console.js), a poll keeps its content
    const text = wordingOf(isCsrf, status, errors.map((entry) => entry.message).join(' '))
    const html = await ctx.view.render('partials/htmx_error', {
      text: text || (TITLES[status] ?? 'That could not be done.'),
    })
    return response.status(status).type('text/html').send(html)
  }
  const isForm = request.method() !== 'GET' && session !== undefined
  if (isForm && error instanceof vineErrors.E_VALIDATION_ERROR) {
    session.flashValidationErrors(error)
    session.flashExcept(NOT_REFILLED)
    // Back to the very page the form was on, its query string too (`/providers/new?type=postal`)
    return response.redirect().withQs().back()
  }
  if (isForm && status >= 400 && status < 500 && status !== 403 && status !== 404) {
    session.flashExcept(NOT_REFILLED)
    session.flash('notice', { kind: 'error', text: errors.map((entry) => entry.message).join(' ') })
    return response.redirect().withQs().back()
  }
  const html = await ctx.view.render('pages/errors/status', {
    status,
    title: isCsrf ? 'Form expired' : (TITLES[status] ?? (status >= 500 ? 'Server error' : 'Error')),
    message: wordingOf(isCsrf, status, errors[0]?.message),
  })
  return response.status(status).type('text/html').send(html)
}

/** What a person reads: never a server error's own message */
function wordingOf(isCsrf: boolean, status: number, message: string | undefined) {
  if (isCsrf) return 'This form has expired. Go back, reload the page and try again.'
  if (status >= 500)
    return 'Something went wrong on our side. It has been logged; try again in a moment.'
  return message
}
