import type { Priority } from '#enums/priority'
import { OperationsStats } from '#messaging/stats/operations_stats'
import { TenantQueueStats, type PriorityBacklog } from '#messaging/stats/tenant_queue_stats'
import {
  MessageActivity,
  type MinuteCount,
  type TodayCounts,
} from '#messaging/stats/message_activity'
import { GatewayHealthBoard, type GatewayHealthEntry } from '#messaging/stats/gateway_health_board'
import { ShortLivedCache } from '#messaging/stats/short_lived_cache'

/** One priority queue's jobs (BullMQ's counts, every tenant's) */
export interface LaneJobs {
  priority: Priority
  waiting: number
  active: number
  delayed: number
  failed: number
  paused: boolean
}

/**
 * The lanes: every tenant's jobs in the queues, or, for one tenant, its own
 * messages not yet out from PostgreSQL (the queues are shared, so they
 * cannot be counted per tenant).
 */
export type Lanes =
  | { kind: 'jobs'; lanes: LaneJobs[] }
  | { kind: 'messages'; lanes: PriorityBacklog[] }

export interface OverviewSnapshot {
  /** Whose figures: a tenant's, or every tenant's (null) */
  tenantId: string | null
  lanes: Lanes
  /** The last hour, oldest minute first */
  sentPerMinute: MinuteCount[]
  sentLastHour: number
  today: TodayCounts
  gateways: GatewayHealthEntry[]
  /** False until the first message is accepted: the console then says how to send one */
  hasMessages: boolean
  takenAt: Date
}

/** A console polls every 5 s: this keeps any number of them at one snapshot per scope per 4 s */
const SNAPSHOT_TTL_MS = 4_000
const ALL_TENANTS = 'all'

/**
 * The console's overview: lanes, the last hour's sends, today's failures and
 * bounces, and the gateways' health, taken at most once per few seconds per
 * scope and shared by every request in the window (one instance per process).
 */
export class OverviewSnapshots {
  #cache: ShortLivedCache<OverviewSnapshot>

  constructor(
    private operations: OperationsStats,
    private tenantQueues: TenantQueueStats,
    private activity: MessageActivity,
    private gateways: GatewayHealthBoard,
    ttlMs = SNAPSHOT_TTL_MS
  ) {
    this.#cache = new ShortLivedCache(ttlMs)
  }

  /** A tenant's overview, or every tenant's (null) */
  of(tenantId: string | null) {
    return this.#cache.get(tenantId ?? ALL_TENANTS, () => this.#take(tenantId))
  }

  async #take(tenantId: string | null): Promise<OverviewSnapshot> {
    const [lanes, sentPerMinute, today, gateways, hasMessages] = await Promise.all([
      this.#lanes(tenantId),
      this.activity.sentPerMinute(tenantId),
      this.activity.today(tenantId),
      this.gateways.forScope(tenantId),
      this.activity.any(tenantId),
    ])
    return {
      tenantId,
      lanes,
      sentPerMinute,
      sentLastHour: sentPerMinute.reduce((sum, minute) => sum + minute.sent, 0),
      today,
      gateways,
      hasMessages,
      takenAt: new Date(),
    }
  }

  async #lanes(tenantId: string | null): Promise<Lanes> {
    if (tenantId) {
      const { priorities } = await this.tenantQueues.forTenant(tenantId)
      return { kind: 'messages', lanes: priorities }
    }
    const depths = await this.operations.queueDepths()
    return {
      kind: 'jobs',
      lanes: depths.map(({ priority, waiting, active, delayed, failed, paused }) => ({
        priority,
        waiting,
        active,
        delayed,
        failed,
        paused,
      })),
    }
  }
}
