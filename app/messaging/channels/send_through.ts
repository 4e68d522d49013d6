import type { Channel } from '#enums/channel'
import type { OutboundFor, OutboundMessage } from '#messaging/channels/outbound'
import type { Gateway, GatewayResult } from '#messaging/channels/gateway'
import { gatewayFailure } from '#messaging/channels/gateway_failures'

/**
 * send as a property, not a method: a property's parameters are checked
 * strictly, so a bare Gateway (whose send() takes nothing) is not taken for one.
 */
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

/**
 * Hands a message to a gateway: the one place a message's channel is checked
 * against the gateway's, so a gateway is only ever sent its channel's message.
 */
export async function sendThrough(
  gateway: Gateway,
  message: OutboundMessage
): Promise<GatewayResult> {
  if (!carries(gateway, message.channel)) {
    const refusal = `the ${gateway.type} gateway cannot send ${message.channel}`
    return gatewayFailure('permanent', 'UNSUPPORTED_CHANNEL', refusal)
  }
  return gateway.send(message)
}
