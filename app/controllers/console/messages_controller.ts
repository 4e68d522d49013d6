import type { HttpContext } from '@adonisjs/core/http'

/** The console's Messages pages: the search list, a message's page and its actions. */
export default class MessagesController {
  /** GET /console/messages: the message search, filtered and paged like GET /api/v1/messages */
  async index({ view }: HttpContext) {
    return view.render('pages/messages/index')
  }
}
