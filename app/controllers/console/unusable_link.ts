import type { HttpContext } from '@adonisjs/core/http'

/**
 * A reset or invite link that is unknown, used or expired: 404, on its own
 * page (`invalid`), which says what to do next.
 */
export async function unusableLink({ view, response }: HttpContext, page: string) {
  return response.status(404).send(await view.render(page, { invalid: true }))
}
