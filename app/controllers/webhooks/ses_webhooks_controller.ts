import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { GatewayType } from '#enums/gateway_type'
import type { SesGatewayConfig } from '#messaging/vendors/ses/gateway'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import { SesWebhook } from '#messaging/vendors/ses/webhook'
import { WebhookAccounts } from '#messaging/tracking/webhook_accounts'

@inject()
export default class SesWebhooksController {
  constructor(
    private accounts: WebhookAccounts,
    private sesWebhook: SesWebhook,
    private tracker: DeliveryTracker
  ) {}

  /** POST /api/webhooks/communication/ses/:providerId (SNS, JSON sent as text/plain) */
  async store({ params, request }: HttpContext) {
    const account = await this.accounts.find<SesGatewayConfig>(params.providerId, GatewayType.Ses)
    const delivery = await this.sesWebhook.read(request.raw(), account)
    if (delivery.kind === 'subscription-confirmed') {
      return { confirmed: true }
    }
    for (const event of delivery.events) {
      await this.tracker.apply(event)
    }
    return { received: true }
  }
}
