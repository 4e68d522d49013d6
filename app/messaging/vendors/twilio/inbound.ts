import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { MalformedWebhookException } from '#exceptions/webhook_exceptions'
import { checkRecipient } from '#messaging/recipients/recipient_rules'
import {
  eventContextOf,
  providerIdOrNull,
  type ProviderEventContext,
} from '#messaging/tracking/provider_event'
import type { InboundMessage } from '#messaging/conversations/inbound_message'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'
import type { TwilioGatewayConfig } from '#messaging/vendors/twilio/gateway'
import { twilioCallbackOf, verifiedTwilioParams } from '#messaging/vendors/twilio/webhook'
import type { InboundWebhook, WebhookRequest } from '#messaging/vendors/contract/vendor'

/** Empty TwiML: no automatic answer; replies go through the conversations API */
const NO_ANSWER = { body: '<Response/>', contentType: 'text/xml' }

/** POST …/twilio/:providerId/inbound: the number's "A message comes in" webhook */
export class TwilioInboundWebhook implements InboundWebhook<TwilioGatewayConfig> {
  async read(request: WebhookRequest, account: ProviderAccount<Partial<TwilioGatewayConfig>>) {
    const params = verifiedTwilioParams(twilioCallbackOf(request), account)
    return { message: parseTwilioInbound(params, eventContextOf(account)), reply: NO_ANSWER }
  }
}

/**
 * An inbound SMS as Twilio posts it to the number's webhook (PROVIDERS.md):
 * MessageSid, From, To, Body, and NumMedia with MediaUrl{N} and
 * MediaContentType{N} for MMS. Fields Twilio adds later are ignored.
 */
function parseTwilioInbound(
  params: Record<string, string>,
  context: ProviderEventContext
): InboundMessage {
  const sid = providerIdOrNull(params.MessageSid) ?? providerIdOrNull(params.SmsSid)
  const from = checkRecipient(Channel.Sms, params.From ?? '')
  const to = checkRecipient(Channel.Sms, params.To ?? '')
  if (!sid || !from.valid || !to.valid) {
    throw new MalformedWebhookException(
      'A Twilio inbound message needs MessageSid and E.164 From and To numbers'
    )
  }
  const mediaCount = Number.parseInt(params.NumMedia ?? '0', 10) || 0
  const media = Array.from({ length: mediaCount }, (_, index) => ({
    url: params[`MediaUrl${index}`] ?? null,
    contentType: params[`MediaContentType${index}`] ?? null,
  }))
  return {
    ...context,
    gateway: GatewayType.Twilio,
    channel: Channel.Sms,
    providerMessageId: sid,
    from: from.address,
    displayName: null,
    to: to.address,
    subject: null,
    content: { text: params.Body ?? '', data: media.length > 0 ? { media } : {} },
  }
}
