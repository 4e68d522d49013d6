import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { GatewayType } from '#enums/gateway_type'
import type { PostalGatewayConfig } from '#messaging/vendors/postal/gateway'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import { readPostalWebhook } from '#messaging/vendors/postal/webhook'
import { WebhookAccounts } from '#messaging/tracking/webhook_accounts'

@inject()
export default class PostalWebhooksController {
  constructor(
    private accounts: WebhookAccounts,
    private tracker: DeliveryTracker
  ) {}

  /** POST /api/webhooks/communication/postal/:providerId */
  async store({ params, request }: HttpContext) {
    const account = await this.accounts.find<PostalGatewayConfig>(
      params.providerId,
      GatewayType.Postal
    )
    const event = readPostalWebhook(
      request.raw(),
      {
        sha256: request.header('x-postal-signature-256'),
        sha1: request.header('x-postal-signature'),
      },
      account
    )
    if (event) await this.tracker.apply(event)
    return { received: true }
  }
}
