import db from '@adonisjs/lucid/services/db'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { MessageStatus } from '#enums/message_status'
import ChannelHealth from '#models/channel_health'

/** The windows the counts cover, with their SQL interval */
const WINDOWS = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days' } as const
type WindowName = keyof typeof WINDOWS
const WINDOW_NAMES = Object.keys(WINDOWS) as WindowName[]
const WIDEST = WINDOWS['7d']

const OUTCOMES = ['sent', 'delivered', 'failed', 'bounced'] as const
type Outcome = (typeof OUTCOMES)[number]
type Counts = Record<Outcome, number>

/** Which time puts a message in a window for each outcome */
const OUTCOME_FILTERS: Record<Outcome, string> = {
  sent: 'sent_at',
  delivered: 'delivered_at',
  failed: 'failed_at',
  bounced: 'bounced_at',
}

interface GatewayHealth {
  score: number
  circuitState: ChannelHealth['circuitState']
  consecutiveFailures: number
  avgLatencyMs: number | null
  updatedAt: string | null
}

export interface GatewayStats {
  /** The gateway key (`log`, `postal:<provider config id>`); null for messages no gateway took */
  gateway: string | null
  type: string | null
  channels: string[]
  counts: Record<WindowName, Counts>
  /** Last persisted health and circuit state; null until the gateway has some */
  health: GatewayHealth | null
}

type CountRow = { gateway: string | null; channels: string[] } & Record<string, string>

/**
 * What each gateway did for a tenant over the last hour, day and week (sent,
 * delivered, failed, and the failed ones that bounced), with the gateway's
 * health and circuit state from channel_health.
 */
export class ChannelStats {
  async forTenant(tenantId: string) {
    const [rows, health] = await Promise.all([this.#counts(tenantId), this.#health(tenantId)])
    const byGateway = new Map<string | null, GatewayStats>()
    for (const row of rows) {
      byGateway.set(row.gateway, {
        ...this.#entry(row.gateway, row.channels),
        counts: countsOf(row),
      })
    }
    for (const entry of health) {
      const stats =
        byGateway.get(entry.gatewayKey) ?? this.#entry(entry.gatewayKey, [entry.channel])
      stats.health = {
        score: entry.score,
        circuitState: entry.circuitState,
        consecutiveFailures: entry.consecutiveFailures,
        avgLatencyMs: entry.avgLatencyMs,
        updatedAt: entry.updatedAt?.toISO() ?? null,
      }
      byGateway.set(entry.gatewayKey, stats)
    }
    return { windows: WINDOW_NAMES, gateways: [...byGateway.values()].sort(byGatewayKey) }
  }

  /**
   * One grouped query: a message counts in a window by the time of each
   * outcome it reached (sent_at stays set when it is later delivered or
   * bounces). Bounced is the failed messages a provider reported bounced.
   */
  async #counts(tenantId: string): Promise<CountRow[]> {
    const columns = WINDOW_NAMES.flatMap((name) =>
      OUTCOMES.map(
        (outcome) =>
          `count(*) FILTER (WHERE ${OUTCOME_FILTERS[outcome]} > now() - interval '${WINDOWS[name]}')
             AS "${outcome}_${name}"`
      )
    )
    const result = await db.rawQuery(
      `SELECT gateway, array_agg(DISTINCT channel ORDER BY channel) AS channels, ${columns.join(', ')}
         FROM (
           SELECT m.gateway, m.channel, m.sent_at, m.delivered_at,
                  CASE WHEN m.status = :failed THEN m.failed_at END AS failed_at,
                  CASE WHEN m.status = :failed AND EXISTS (
                         SELECT 1 FROM delivery_events e
                          WHERE e.message_id = m.id AND e.type = :bounced
                       ) THEN m.failed_at END AS bounced_at
             FROM messages m
            WHERE m.tenant_id = :tenantId
              AND m.direction = 'outbound'
              AND GREATEST(m.sent_at, m.delivered_at, m.failed_at) > now() - interval '${WIDEST}'
         ) outcomes
        GROUP BY gateway`,
      { tenantId, failed: MessageStatus.Failed, bounced: DeliveryEventType.Bounced }
    )
    return result.rows
  }

  /** The tenant's own gateways and the shared ones (the log gateway, system defaults) */
  #health(tenantId: string) {
    return ChannelHealth.query().where((visible) =>
      visible.whereNull('provider_config_id').orWhereIn(
        'provider_config_id',
        db
          .from('provider_configs')
          .select('id')
          .where((owner) => owner.where('tenant_id', tenantId).orWhereNull('tenant_id'))
      )
    )
  }

  #entry(gateway: string | null, channels: string[]): GatewayStats {
    const zero = Object.fromEntries(
      WINDOW_NAMES.map((name) => [name, { sent: 0, delivered: 0, failed: 0, bounced: 0 }])
    ) as Record<WindowName, Counts>
    return {
      gateway,
      type: gateway ? gateway.split(':')[0] : null,
      channels,
      counts: zero,
      health: null,
    }
  }
}

function countsOf(row: CountRow) {
  return Object.fromEntries(
    WINDOW_NAMES.map((name) => [
      name,
      Object.fromEntries(OUTCOMES.map((outcome) => [outcome, Number(row[`${outcome}_${name}`])])),
    ])
  ) as Record<WindowName, Counts>
}

/** By gateway key; messages no gateway took come last */
function byGatewayKey(a: GatewayStats, b: GatewayStats) {
  if (a.gateway === b.gateway) return 0
  if (a.gateway === null) return 1
  if (b.gateway === null) return -1
  return a.gateway < b.gateway ? -1 : 1
}
