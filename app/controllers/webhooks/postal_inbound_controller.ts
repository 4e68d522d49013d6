import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { GatewayType } from '#enums/gateway_type'
import type { PostalGatewayConfig } from '#messaging/vendors/postal/gateway'
import { InboundRecorder } from '#messaging/conversations/inbound_recorder'
import { parsePostalInbound } from '#messaging/vendors/postal/inbound'
import { verifiedPostalBody } from '#messaging/vendors/postal/webhook'
import { WebhookAccounts, eventContextOf } from '#messaging/tracking/webhook_accounts'

@inject()
export default class PostalInboundController {
  constructor(
    private accounts: WebhookAccounts,
    private recorder: InboundRecorder
  ) {}

  /** POST /api/webhooks/communication/postal/:providerId/inbound (a route's HTTP endpoint, Hash format) */
  async store({ params, request }: HttpContext) {
    const account = await this.accounts.find<PostalGatewayConfig>(
      params.providerId,
      GatewayType.Postal
    )
    const body = verifiedPostalBody(
      request.raw(),
      {
        sha256: request.header('x-postal-signature-256'),
        sha1: request.header('x-postal-signature'),
      },
      account
    )
    await this.recorder.record(parsePostalInbound(body, eventContextOf(account)))
    return { received: true }
  }
}
