import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { InboundRecorder } from '#messaging/conversations/inbound_recorder'
import { WebhookAccounts } from '#messaging/accounts/webhook_accounts'
import {
  handlerClassOf,
  sendReply,
  vendorWebhookOf,
  webhookRequestOf,
} from '#controllers/webhooks/vendor_webhook'

@inject()
export default class InboundWebhooksController {
  constructor(
    private accounts: WebhookAccounts,
    private recorder: InboundRecorder
  ) {}

  /** POST /api/webhooks/communication/<vendor>/:providerId/inbound: a message a contact sent us */
  async store(ctx: HttpContext) {
    const { webhook, account } = await vendorWebhookOf(ctx, this.accounts, 'inbound')
    const handler = await ctx.containerResolver.make(await handlerClassOf(webhook.endpoint))
    const { message, reply } = await handler.read(webhookRequestOf(ctx), account)
    await this.recorder.record(message)
    return sendReply(ctx, reply)
  }
}
