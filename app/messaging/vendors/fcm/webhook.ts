import { inject } from '@adonisjs/core'
import vine from '@vinejs/vine'
import { WebhookSignatureException } from '#exceptions/webhook_exceptions'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'
import { verifyWebhookSignature } from '#messaging/signing/webhook_signature'
import { eventContextOf } from '#messaging/tracking/provider_event'
import { pushReportSchema } from '#messaging/tracking/push_report_schema'
import { PushReports } from '#messaging/tracking/push_reports'
import type { FcmGatewayConfig } from '#messaging/vendors/fcm/gateway'
import {
  RECEIVED,
  type StatusWebhook,
  type StatusWebhookResult,
  type WebhookRequest,
} from '#messaging/vendors/contract/vendor'

const pushReportValidator = vine.compile(pushReportSchema)

/**
 * POST …/firebase/:providerId: FCM itself reports nothing, so the push client
 * app reports a notification delivered, opened or clicked, signed with the
 * account's reportSecret (X-Switchboard-Signature over timestamp and body),
 * for apps that hold no API key. Once the signature holds, the report is
 * validated like the API-key route's (a bad one fails with E_VALIDATION_ERROR)
 * and recorded for the messages sent through this account.
 */
@inject()
export class FcmPushReportWebhook implements StatusWebhook<FcmGatewayConfig> {
  constructor(private reports: PushReports) {}

  async read(
    request: WebhookRequest,
    account: ProviderAccount<Partial<FcmGatewayConfig>>
  ): Promise<StatusWebhookResult> {
    const secret = account.credentials.reportSecret
    const signed =
      !!secret &&
      verifyWebhookSignature({
        secret,
        signature: request.headers['x-switchboard-signature'],
        timestamp: request.headers['x-switchboard-timestamp'],
        rawBody: request.rawBody ?? '',
      })
    if (!signed) {
      throw new WebhookSignatureException()
    }
    const report = await pushReportValidator.validate(request.fields)
    await this.reports.record(eventContextOf(account), report)
    return { kind: 'recorded', reply: RECEIVED }
  }
}
