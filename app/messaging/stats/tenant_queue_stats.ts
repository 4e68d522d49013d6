import db from '@adonisjs/lucid/services/db'
import { MessageStatus } from '#enums/message_status'
import { PRIORITIES, type Priority } from '#enums/priority'

export interface PriorityBacklog {
  priority: Priority
  /** Waiting for their scheduled time */
  scheduled: number
  /** Due now: waiting for a worker */
  queued: number
  /** Queued but held until later: a retry's backoff or a rate limit's next slot */
  deferred: number
  /** A worker is handing them to a gateway */
  sending: number
}

const { Scheduled: SCHEDULED, Queued: QUEUED, Sending: SENDING } = MessageStatus

type BacklogRow = Record<Exclude<keyof PriorityBacklog, 'priority'>, string> & {
  priority: Priority
}

/**
 * A tenant's own messages not yet out, per priority and state, from
 * PostgreSQL. The queues in Redis are shared by every tenant, so their
 * counts are for operators only (`node ace comms:stats`, /metrics).
 */
export class TenantQueueStats {
  async forTenant(tenantId: string): Promise<{ priorities: PriorityBacklog[] }> {
    // The statuses are written out, not bound: the planner must see them to use the partial index
    const result = await db.rawQuery(
      `SELECT priority,
              count(*) FILTER (WHERE status = '${SCHEDULED}') AS scheduled,
              count(*) FILTER (WHERE status = '${QUEUED}'
                                 AND (next_attempt_at IS NULL OR next_attempt_at <= now())) AS queued,
              count(*) FILTER (WHERE status = '${QUEUED}' AND next_attempt_at > now()) AS deferred,
              count(*) FILTER (WHERE status = '${SENDING}') AS sending
         FROM messages
        WHERE tenant_id = ? AND status IN ('${SCHEDULED}', '${QUEUED}', '${SENDING}')
        GROUP BY priority`,
      [tenantId]
    )
    const rows = new Map((result.rows as BacklogRow[]).map((row) => [row.priority, row]))
    return {
      priorities: PRIORITIES.map((priority) => {
        const row = rows.get(priority)
        return {
          priority,
          scheduled: Number(row?.scheduled ?? 0),
          queued: Number(row?.queued ?? 0),
          deferred: Number(row?.deferred ?? 0),
          sending: Number(row?.sending ?? 0),
        }
      }),
    }
  }
}
