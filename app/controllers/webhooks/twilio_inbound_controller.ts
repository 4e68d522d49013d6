import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { GatewayType } from '#enums/gateway_type'
import type { TwilioGatewayConfig } from '#messaging/vendors/twilio/gateway'
import { InboundRecorder } from '#messaging/conversations/inbound_recorder'
import { parseTwilioInbound } from '#messaging/vendors/twilio/inbound'
import { verifiedTwilioParams } from '#messaging/vendors/twilio/webhook'
import { WebhookAccounts, eventContextOf } from '#messaging/tracking/webhook_accounts'
import { appUrl } from '#config/app'

@inject()
export default class TwilioInboundController {
  constructor(
    private accounts: WebhookAccounts,
    private recorder: InboundRecorder
  ) {}

  /** POST /api/webhooks/communication/twilio/:providerId/inbound (the number's "A message comes in" webhook) */
  async store({ params, request, response }: HttpContext) {
    const account = await this.accounts.find<TwilioGatewayConfig>(
      params.providerId,
      GatewayType.Twilio
    )
    const fields = verifiedTwilioParams(
      {
        // Signed over the URL as configured at Twilio: the public base URL, not this request's Host
        url: `${appUrl}${request.url(true)}`,
        signature: request.header('x-twilio-signature'),
        rawBody: request.raw(),
      },
      account
    )
    await this.recorder.record(parseTwilioInbound(fields, eventContextOf(account)))
    // Empty TwiML: no automatic answer; replies go through the conversations API
    return response.header('content-type', 'text/xml').send('<Response/>')
  }
}
