import type { ClaimedMessage } from '#messaging/outbox/message_store'
import type { OutboundMessage } from '#messaging/gateways/gateway'

/**
 * The provider-neutral form of a stored message, with our message id in its
 * data so replies and reports can be matched back to it.
 */
export function outboundMessageFrom(message: ClaimedMessage): OutboundMessage {
  return {
    messageId: message.id,
    tenantId: message.tenant_id,
    channel: message.channel,
    recipient: message.recipient,
    subject: message.subject,
    text: message.content.text ?? null,
    html: message.content.html ?? null,
    data: { ...message.content.data, switchboardMessageId: message.id },
    metadata: message.metadata,
  }
}
