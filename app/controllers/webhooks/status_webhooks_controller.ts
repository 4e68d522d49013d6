import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import { WebhookAccounts } from '#messaging/accounts/webhook_accounts'
import {
  handlerClassOf,
  sendReply,
  vendorWebhookOf,
  webhookRequestOf,
} from '#controllers/webhooks/vendor_webhook'

@inject()
export default class StatusWebhooksController {
  constructor(
    private accounts: WebhookAccounts,
    private tracker: DeliveryTracker
  ) {}

  /**
   * POST /api/webhooks/communication/<vendor>/:providerId: a vendor's signed
   * status callback (messaging/vendors/index.ts lists them), recorded once
   * its signature checks out.
   */
  async store(ctx: HttpContext) {
    const { webhook, account } = await vendorWebhookOf(ctx, this.accounts, 'status')
    const handler = await ctx.containerResolver.make(await handlerClassOf(webhook.endpoint))
    const result = await handler.read(webhookRequestOf(ctx), account)
    if (result.kind === 'events') {
      for (const event of result.events) {
        await this.tracker.apply(event)
      }
    }
    return sendReply(ctx, result.reply)
  }
}
