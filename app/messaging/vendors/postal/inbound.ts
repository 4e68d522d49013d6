import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { MalformedWebhookException } from '#exceptions/webhook_exceptions'
import { checkRecipient } from '#messaging/recipients/recipient_rules'
import {
  providerIdOrNull,
  stringOrNull,
  type ProviderEventContext,
  eventContextOf,
} from '#messaging/tracking/provider_event'
import type { InboundMessage } from '#messaging/conversations/inbound_message'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'
import type { PostalGatewayConfig } from '#messaging/vendors/postal/gateway'
import { postalSignatures, verifiedPostalBody } from '#messaging/vendors/postal/webhook'
import {
  RECEIVED,
  type InboundWebhook,
  type WebhookRequest,
} from '#messaging/vendors/contract/vendor'

/** `Ada Lovelace <ada@example.com>` or a bare address */
const NAMED_ADDRESS = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/

/** POST …/postal/:providerId/inbound: a route's HTTP endpoint, Hash format */
export class PostalInboundWebhook implements InboundWebhook<PostalGatewayConfig> {
  async read(request: WebhookRequest, account: ProviderAccount<Partial<PostalGatewayConfig>>) {
    const body = verifiedPostalBody(request.rawBody, postalSignatures(request), account)
    return { message: parsePostalInbound(body, eventContextOf(account)), reply: RECEIVED }
  }
}

/**
 * An inbound email as Postal posts it to an HTTP endpoint in the "Hash"
 * format: id, rcpt_to, mail_from, subject, message_id, from (the header),
 * plain_body, html_body, … The contact is the From header's address, the
 * person to answer; the envelope sender (mail_from) is the fallback, since
 * mailing lists and forwarders rewrite it to a bounce address.
 */
function parsePostalInbound(body: Record<string, unknown>, context: ProviderEventContext) {
  const id = providerIdOrNull(body.id)
  const header = NAMED_ADDRESS.exec(stringOrNull(body.from) ?? '')
  const from = [header?.[2], stringOrNull(body.from), stringOrNull(body.mail_from)]
    .map((candidate) => checkRecipient(Channel.Email, candidate ?? ''))
    .find((check) => check.valid)
  const to = checkRecipient(Channel.Email, stringOrNull(body.rcpt_to) ?? '')
  if (!id || !from?.valid || !to.valid) {
    throw new MalformedWebhookException(
      'A Postal inbound message needs id, rcpt_to and a sender address'
    )
  }
  const html = stringOrNull(body.html_body)
  const inbound: InboundMessage = {
    ...context,
    gateway: GatewayType.Postal,
    channel: Channel.Email,
    providerMessageId: id,
    from: from.address,
    displayName: header?.[1] || null,
    to: to.address,
    subject: stringOrNull(body.subject),
    content: {
      text: typeof body.plain_body === 'string' ? body.plain_body : '',
      ...(html && { html }),
      data: {
        messageId: stringOrNull(body.message_id),
        inReplyTo: stringOrNull(body.in_reply_to),
        attachments: typeof body.attachment_quantity === 'number' ? body.attachment_quantity : 0,
      },
    },
  }
  return inbound
}
