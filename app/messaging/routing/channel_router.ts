import type { Gateway } from '#messaging/gateways/gateway'
import type { ClaimedMessage } from '#messaging/outbox/message_store'

/** A gateway that may carry a message, in the order to try it. */
export interface GatewayCandidate {
  /** Identifies the gateway account for health and rate limits */
  key: string
  gateway: Gateway
  providerConfigId: string | null
}

/**
 * Chooses the gateways for a message, best first. Until a tenant configures
 * providers, every channel goes through the system default gateway.
 */
export class ChannelRouter {
  constructor(private defaultGateway: Gateway) {}

  async route(_message: ClaimedMessage): Promise<GatewayCandidate[]> {
    return [{ key: this.defaultGateway.type, gateway: this.defaultGateway, providerConfigId: null }]
  }
}
