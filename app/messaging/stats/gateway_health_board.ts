import { inject } from '@adonisjs/core'
import ProviderConfig from '#models/provider_config'
import { GatewayHealth, type GatewayHealthSnapshot } from '#messaging/routing/gateway_health'
import { ProviderHealth } from '#messaging/provider_configs/provider_health'

export interface GatewayHealthEntry {
  providerConfigId: string
  name: string
  type: string
  channel: string
  /** A system provider (no tenant's own) */
  system: boolean
  /** Null until the gateway has reported an outcome */
  health: GatewayHealthSnapshot | null
}

/**
 * Each enabled gateway's health and circuit now, as the router sees them
 * (the rolling window and circuit in Redis, not channel_health's copy of a
 * minute ago). A tenant sees its own providers and the system ones; the
 * operators' view is the system providers and every gateway that has
 * reported an outcome since Redis started.
 */
@inject()
export class GatewayHealthBoard {
  constructor(
    private health: GatewayHealth,
    private providerHealth: ProviderHealth
  ) {}

  async forScope(tenantId: string | null): Promise<GatewayHealthEntry[]> {
    const configs = await this.#configs(tenantId)
    const health = await this.providerHealth.of(configs)
    return configs.map((config) => ({
      providerConfigId: config.id,
      name: config.name,
      type: config.type,
      channel: config.channel,
      system: config.tenantId === null,
      health: health.get(config.id) ?? null,
    }))
  }

  async #configs(tenantId: string | null) {
    const reported = tenantId ? [] : await this.#reportedConfigIds()
    return ProviderConfig.query()
      .select('id', 'tenant_id', 'type', 'channel', 'name')
      .where('enabled', true)
      .where((owner) => {
        owner.whereNull('tenant_id')
        if (tenantId) owner.orWhere('tenant_id', tenantId)
        else if (reported.length > 0) owner.orWhereIn('id', reported)
      })
      .orderBy('channel')
      .orderBy('priority')
      .orderBy('name')
  }

  async #reportedConfigIds() {
    const keys = await this.health.knownGateways()
    return keys.map((key) => CONFIG_KEY.exec(key)?.[1]).filter((id): id is string => !!id)
  }
}

/** A provider config's gateway key (providerGatewayKey): `<type>:<config id>` */
const CONFIG_KEY = /^[a-z_]+:([0-9a-f-]{36})$/i
