import type { Channel } from '#enums/channel'
import type { OutboundFor, OutboundMessage } from '#messaging/channels/outbound'
import type { Gateway, GatewayFailure, GatewayResult } from '#messaging/channels/gateway'

/** A property, not a method: checked strictly, so a gateway is one only once carries() says so */
type CarrierOf<C extends Channel> = Gateway & {
  send: (message: OutboundFor<C>) => Promise<GatewayResult>
}

/**
 * Whether a gateway carries a channel. Its `channels` and its send() are
 * declared together (a channel contract, or every channel for one that takes
 * any message), so carrying the channel means taking its message.
 */
function carries<C extends Channel>(gateway: Gateway, channel: C): gateway is CarrierOf<C> {
  return gateway.channels.includes(channel)
}

/** The answer for a message of a channel the gateway does not carry. */
function unsupportedChannel(gatewayType: string, channel: string): GatewayFailure {
  return {
    ok: false,
    errorClass: 'permanent',
    code: 'UNSUPPORTED_CHANNEL',
    message: `the ${gatewayType} gateway cannot send ${channel}`,
  }
}

/**
 * Hands a message to a gateway: the one place a message's channel is checked
 * against the gateway's, so a gateway is only ever sent its channel's message.
 */
export async function sendThrough(
  gateway: Gateway,
  message: OutboundMessage
): Promise<GatewayResult> {
  if (!carries(gateway, message.channel)) return unsupportedChannel(gateway.type, message.channel)
  return gateway.send(message)
}
