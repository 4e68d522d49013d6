import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { GatewayType } from '#enums/gateway_type'
import type { TwilioGatewayConfig } from '#messaging/vendors/twilio/gateway'
import { DeliveryTracker } from '#messaging/tracking/delivery_tracker'
import { readTwilioCallback } from '#messaging/vendors/twilio/webhook'
import { WebhookAccounts } from '#messaging/tracking/webhook_accounts'
import { appUrl } from '#config/app'

@inject()
export default class TwilioWebhooksController {
  constructor(
    private accounts: WebhookAccounts,
    private tracker: DeliveryTracker
  ) {}

  /** POST /api/webhooks/communication/twilio/:providerId (a status callback, form-encoded) */
  async store({ params, request }: HttpContext) {
    const account = await this.accounts.find<TwilioGatewayConfig>(
      params.providerId,
      GatewayType.Twilio
    )
    const event = readTwilioCallback(
      {
        // Twilio signs the URL it was given, so it is rebuilt from the public base
        // URL (APP_URL), not from the Host this request came in on: behind a proxy
        // or a tunnel they differ. The path and query string are the request's own.
        url: `${appUrl}${request.url(true)}`,
        signature: request.header('x-twilio-signature'),
        rawBody: request.raw(),
      },
      account
    )
    if (event) await this.tracker.apply(event)
    return { received: true }
  }
}
