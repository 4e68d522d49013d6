import { Channel } from '#enums/channel'
import type { ClaimedMessage } from '#messaging/outbox/message_store'
import type { OutboundMessage } from '#messaging/channels/outbound'
import { smsEncoding } from '#messaging/channels/sms_encoding'

/**
 * Each channel's provider-neutral form of a stored message. Our message id
 * rides along (tag, data, header) so replies and reports can be matched back.
 */
export function outboundMessageFrom(message: ClaimedMessage): OutboundMessage {
  const base = {
    messageId: message.id,
    tenantId: message.tenant_id,
    messageType: message.message_type,
  }
  const { content } = message
  switch (message.channel) {
    case Channel.Email:
      return {
        ...base,
        channel: Channel.Email,
        to: message.recipient,
        subject: message.subject ?? '',
        html: content.html ?? null,
        text: content.text ?? null,
        replyTo: stringOrNull(message.metadata.replyTo),
        headers: { 'X-Switchboard-Message-Id': message.id },
        tags: { switchboard_message_id: message.id },
      }
    case Channel.Sms: {
      const body = content.text ?? ''
      const { encoding, segments } = smsEncoding(body)
      return { ...base, channel: Channel.Sms, to: message.recipient, body, encoding, segments }
    }
    case Channel.Push:
      return {
        ...base,
        channel: Channel.Push,
        token: message.recipient,
        title: message.subject,
        body: content.text ?? null,
        data: { ...stringValues(content.data), switchboardMessageId: message.id },
      }
    case Channel.Webhook:
      return {
        ...base,
        channel: Channel.Webhook,
        url: message.recipient,
        payload: {
          id: message.id,
          subject: message.subject,
          text: content.text ?? null,
          data: content.data ?? {},
        },
      }
  }
}

function stringOrNull(value: unknown) {
  return typeof value === 'string' ? value : null
}

/** FCM data values must be strings: objects are sent as JSON. */
function stringValues(data: Record<string, unknown> | undefined) {
  const result: Record<string, string> = {}
  for (const [key, value] of Object.entries(data ?? {})) {
    result[key] = typeof value === 'string' ? value : JSON.stringify(value)
  }
  return result
}
