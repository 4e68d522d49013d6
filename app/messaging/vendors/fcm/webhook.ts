import { WebhookSignatureException } from '#exceptions/webhook_exceptions'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'
import { verifyWebhookSignature } from '#messaging/signing/webhook_signature'
import type { FcmGatewayConfig } from '#messaging/vendors/fcm/gateway'
import {
  RECEIVED,
  type StatusWebhook,
  type StatusWebhookResult,
  type WebhookRequest,
} from '#messaging/vendors/contract/vendor'

/**
 * POST …/firebase/:providerId: FCM itself reports nothing, so the push client
 * app reports a notification delivered, opened or clicked, signed with the
 * account's reportSecret (X-Switchboard-Signature over timestamp and body),
 * for apps that hold no API key. The report itself is a push report the
 * endpoint validates once the signature holds.
 */
export class FcmPushReportWebhook implements StatusWebhook<FcmGatewayConfig> {
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
    return { kind: 'push-report', reply: RECEIVED }
  }
}
