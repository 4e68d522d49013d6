import { inject } from '@adonisjs/core'
import {
  GatewayHealth,
  providerGatewayKey,
  type GatewayHealthSnapshot,
} from '#messaging/routing/gateway_health'

/**
 * What the router knows now of providers' gateways: each one's circuit and
 * score from the shared health window in Redis, by provider id. A provider
 * whose gateway has reported no outcome yet has no entry.
 */
@inject()
export class ProviderHealth {
  constructor(private health: GatewayHealth) {}

  async of(providers: Array<{ id: string; type: string }>) {
    const known = new Set(await this.health.knownGateways())
    const reported = providers.filter((provider) => known.has(providerGatewayKey(provider)))
    const snapshots = await Promise.all(
      reported.map((provider) => this.health.snapshot(providerGatewayKey(provider)))
    )
    return new Map<string, GatewayHealthSnapshot>(
      reported.map((provider, index) => [provider.id, snapshots[index]])
    )
  }
}
