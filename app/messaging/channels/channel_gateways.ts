import { Channel } from '#enums/channel'
import type { OutboundFor } from '#messaging/channels/outbound'
import { Gateway, type GatewayResult } from '#messaging/channels/gateway'

/** A gateway of one channel, tagged with it: its send() takes that channel's message and no other. */
abstract class SingleChannelGateway<C extends Channel> extends Gateway {
  abstract readonly channel: C
  abstract send(message: OutboundFor<C>): Promise<GatewayResult>

  get channels(): readonly C[] {
    return [this.channel]
  }
}

export abstract class EmailGateway extends SingleChannelGateway<Channel.Email> {
  readonly channel = Channel.Email
}

export abstract class SmsGateway extends SingleChannelGateway<Channel.Sms> {
  readonly channel = Channel.Sms
}

export abstract class PushGateway extends SingleChannelGateway<Channel.Push> {
  readonly channel = Channel.Push
}

export abstract class WebhookGateway extends SingleChannelGateway<Channel.Webhook> {
  readonly channel = Channel.Webhook
}
