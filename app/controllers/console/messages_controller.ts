import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import app from '@adonisjs/core/services/app'
import { canSee, tenantIdOf } from '#console/console_scope'
import { messagePage } from '#controllers/console/message_page_view'
import { filterErrors, messagesIndexPage } from '#controllers/console/messages_index_view'
import { timelineOf } from '#controllers/console/message_timeline_view'
import { MessageNotFoundException } from '#exceptions/domain_exceptions'
import { CancelMessage } from '#messaging/actions/cancel_message'
import { messageTenantOf } from '#messaging/actions/message_lookup'
import { RelatedMessages } from '#messaging/actions/related_messages'
import type { ResendResult } from '#messaging/actions/resend_failed'
import { RetryMessage } from '#messaging/actions/retry_message'
import { SearchMessages } from '#messaging/actions/search_messages'
import { ShowMessage } from '#messaging/actions/show_message'
import { searchMessagesValidator } from '#validators/message_search'

/** The console's Messages pages: the search list, a message's page and its actions. */
export default class MessagesController {
  /**
   * GET /console/messages: the message search, filtered and paged like GET
   * /api/v1/messages. A filter that does not parse is shown beside its field.
   */
  @inject()
  async index(ctx: HttpContext, search: SearchMessages) {
    const { request, response, view } = ctx
    const tenantId = tenantIdOf(ctx)
    const page = {
      path: request.url(),
      query: request.qs(),
      allTenants: tenantId === null,
      apiUrl: app.config.get<string>('app.appUrl'),
    }
    const [error, valid] = await searchMessagesValidator.tryValidate(page.query)
    if (error) {
      const html = await view.render(
        'pages/messages/index',
        messagesIndexPage({ ...page, errors: filterErrors(error) })
      )
      return response.status(422).send(html)
    }
    const { cursor, limit, ...filters } = valid
    const result = await search.handle({ tenantId }, filters, { cursor, limit })
    return view.render('pages/messages/index', messagesIndexPage({ ...page, result }))
  }

  /** GET /console/messages/:id: the message's page (header, content, linked messages, timeline) */
  @inject()
  async show(ctx: HttpContext, showMessage: ShowMessage, relatedMessages: RelatedMessages) {
    const message = await showMessage.handle(await ownerOf(ctx), ctx.params.id)
    const family = await relatedMessages.handle(message)
    return ctx.view.render('pages/messages/show', messagePage(message, family, ctx.consoleUser))
  }

  /** GET /console/messages/:id/timeline: the timeline fragment the page polls (htmx) until settled */
  @inject()
  async timeline(ctx: HttpContext, showMessage: ShowMessage) {
    const message = await showMessage.handle(await ownerOf(ctx), ctx.params.id)
    return ctx.view.render('pages/messages/_timeline', {
      timeline: timelineOf(message, ctx.consoleUser),
      refreshed: true,
    })
  }

  /** POST /console/messages/:id/cancel: DELETE /api/v1/messages/:id (refused: the reason, back on the page) */
  @inject()
  async cancel(ctx: HttpContext, cancelMessage: CancelMessage) {
    await cancelMessage.handle(await ownerOf(ctx), ctx.params.id)
    ctx.session.flash('notice', { kind: 'success', text: 'Message canceled: it will not be sent.' })
    return ctx.response.redirect().back()
  }

  /** POST /console/messages/:id/retry: a failed message sent again, as a new linked message */
  @inject()
  async retry(ctx: HttpContext, retryMessage: RetryMessage) {
    const outcome = await retryMessage.handle(await ownerOf(ctx), ctx.params.id)
    ctx.session.flash('notice', retryNotice(outcome))
    return ctx.response.redirect().back()
  }
}

/**
 * The tenant of the route's message, when the signed-in person may see it:
 * another tenant's message is not found, exactly like a message that is not there.
 */
async function ownerOf(ctx: HttpContext) {
  const tenantId = await messageTenantOf(ctx.params.id)
  if (!canSee(ctx.consoleUser, tenantId)) throw new MessageNotFoundException()
  return tenantId
}

function retryNotice(outcome: ResendResult) {
  if (outcome.queued) {
    return { kind: 'success', text: 'Retry queued as a new message, linked below.' }
  }
  if (outcome.suppressed) {
    return {
      kind: 'error',
      text: 'The recipient is suppressed now: the retry was recorded as suppressed and not sent.',
    }
  }
  return { kind: 'info', text: 'This message was retried before: no second copy was made.' }
}
