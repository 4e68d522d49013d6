import db from '@adonisjs/lucid/services/db'
import ChannelHealth from '#models/channel_health'

/**
 * What each channel and gateway did for a tenant over the last 24 hours, and
 * the gateways' last known health.
 */
export class ChannelStats {
  async forTenant(tenantId: string) {
    const rows: Array<{ channel: string; gateway: string | null; status: string; count: string }> =
      await db
        .from('messages')
        .select('channel', 'gateway', 'status')
        .count('* as count')
        .where('tenant_id', tenantId)
        .where('created_at', '>', db.raw(`now() - interval '24 hours'`))
        .groupBy('channel', 'gateway', 'status')

    const channels: Record<
      string,
      { total: number; byStatus: Record<string, number>; byGateway: Record<string, number> }
    > = {}
    for (const row of rows) {
      const count = Number(row.count)
      const channel = (channels[row.channel] ??= { total: 0, byStatus: {}, byGateway: {} })
      channel.total += count
      channel.byStatus[row.status] = (channel.byStatus[row.status] ?? 0) + count
      if (row.gateway) {
        channel.byGateway[row.gateway] = (channel.byGateway[row.gateway] ?? 0) + count
      }
    }

    const health = await ChannelHealth.query().orderBy('channel').orderBy('gateway_key')
    return { window: '24h', channels, gateways: health.map((entry) => entry.serialize()) }
  }
}
