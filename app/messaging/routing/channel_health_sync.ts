import db from '@adonisjs/lucid/services/db'
import { GATEWAY_TYPES } from '#enums/gateway_type'
import type { GatewayHealth, GatewayHealthSnapshot } from '#messaging/routing/gateway_health'

export interface ChannelHealthRow {
  gatewayKey: string
  channel: string
  snapshot: GatewayHealthSnapshot
}

/**
 * Copies each gateway's health from Redis (its rolling window and circuit)
 * into `channel_health`, where the stats API, `comms:stats` and a restarted
 * Redis-less reader find it. Gateways of provider configs only: a key is
 * `<type>:<provider config id>`; the development log gateway has no row.
 */
export class ChannelHealthSync {
  constructor(private health: GatewayHealth) {}

  /** The snapshots that would be written, for every gateway that reported since Redis started. */
  async read(): Promise<ChannelHealthRow[]> {
    const keys = await this.health.knownGateways()
    const configIds = keys.map(configIdOf).filter((id): id is string => id !== null)
    if (configIds.length === 0) return []
    const configs: Array<{ id: string; channel: string }> = await db
      .from('provider_configs')
      .whereIn('id', configIds)
      .select('id', 'channel')
    const channels = new Map(configs.map((config) => [config.id, config.channel]))

    const rows: ChannelHealthRow[] = []
    for (const gatewayKey of keys.sort()) {
      const channel = channels.get(configIdOf(gatewayKey) ?? '')
      if (channel) {
        rows.push({ gatewayKey, channel, snapshot: await this.health.snapshot(gatewayKey) })
      }
    }
    return rows
  }

  /** Upsert one row per gateway; returns what was written. */
  async persist(): Promise<ChannelHealthRow[]> {
    const rows = await this.read()
    if (rows.length === 0) return rows
    await db
      .knexQuery()
      .table('channel_health')
      .insert(
        rows.map(({ gatewayKey, channel, snapshot }) => ({
          gateway_key: gatewayKey,
          gateway: gatewayKey.split(':')[0],
          provider_config_id: configIdOf(gatewayKey),
          channel,
          score: snapshot.score,
          circuit_state: snapshot.state,
          consecutive_failures: snapshot.consecutiveFailures,
          success_count: snapshot.successes,
          failure_count: snapshot.failures,
          avg_latency_ms: snapshot.avgLatencyMs,
          last_success_at: snapshot.lastSuccessAt,
          last_failure_at: snapshot.lastFailureAt,
          circuit_opened_at: snapshot.openedAt,
          updated_at: new Date(),
        }))
      )
      .onConflict('gateway_key')
      .merge()
    return rows
  }
}

const PROVIDER_KEY = new RegExp(`^(${GATEWAY_TYPES.join('|')}):([0-9a-f-]{36})$`, 'i')

function configIdOf(gatewayKey: string) {
  return PROVIDER_KEY.exec(gatewayKey)?.[2] ?? null
}
