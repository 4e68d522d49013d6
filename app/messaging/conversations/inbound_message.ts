import type { Channel } from '#enums/channel'
import type { GatewayType } from '#enums/gateway_type'
import type { MessageContent } from '#models/message'
import type { ProviderEventContext } from '#messaging/tracking/provider_event'

/** A message someone sent to one of a tenant's numbers or addresses, as its provider reported it. */
export interface InboundMessage extends ProviderEventContext {
  gateway: GatewayType
  channel: Channel
  /** The Twilio MessageSid or Postal message id: what de-duplicates a provider's retries */
  providerMessageId: string
  /** The sender, in recipient_rules' normal form: the contact's address */
  from: string
  displayName: string | null
  /** Our number or address it was sent to */
  to: string
  subject: string | null
  content: Pick<MessageContent, 'text' | 'html' | 'data'>
}
