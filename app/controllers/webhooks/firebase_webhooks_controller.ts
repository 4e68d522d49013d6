import { inject } from '@adonisjs/core'
import type { HttpContext } from '@adonisjs/core/http'
import { GatewayType } from '#enums/gateway_type'
import type { FcmGatewayConfig } from '#messaging/vendors/fcm/gateway'
import { verifyWebhookSignature } from '#messaging/signing/webhook_signature'
import { PushReports } from '#messaging/tracking/push_reports'
import { WebhookAccounts, eventContextOf } from '#messaging/tracking/webhook_accounts'
import { WebhookSignatureException } from '#exceptions/webhook_exceptions'
import { pushReportValidator } from '#validators/push_report'

@inject()
export default class FirebaseWebhooksController {
  constructor(
    private reports: PushReports,
    private accounts: WebhookAccounts
  ) {}

  /**
   * POST /api/webhooks/communication/firebase: the push client app reports a
   * notification delivered, opened or clicked, with the tenant's API key.
   */
  async store({ request, auth }: HttpContext) {
    const report = await request.validateUsing(pushReportValidator)
    await this.reports.record({ tenantId: auth.user!.id, providerConfigId: null }, report)
    return { received: true }
  }

  /**
   * POST /api/webhooks/communication/firebase/:providerId: the same report,
   * signed by the app with the FCM provider config's reportSecret
   * (X-Switchboard-Signature over timestamp and body), for apps that hold no API key.
   */
  async storeSigned({ params, request }: HttpContext) {
    const account = await this.accounts.find<FcmGatewayConfig>(params.providerId, GatewayType.Fcm)
    const secret = account.credentials.reportSecret
    const signed =
      !!secret &&
      verifyWebhookSignature({
        secret,
        signature: request.header('x-switchboard-signature'),
        timestamp: request.header('x-switchboard-timestamp'),
        rawBody: request.raw() ?? '',
      })
    if (!signed) {
      throw new WebhookSignatureException()
    }
    const report = await request.validateUsing(pushReportValidator)
    await this.reports.record(eventContextOf(account), report)
    return { received: true }
  }
}
