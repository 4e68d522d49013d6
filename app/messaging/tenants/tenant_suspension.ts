import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { AuditActor } from '#messaging/audit/audit_log'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { TENANT_SUSPENDED } from '#messaging/delivery/message_dispatcher'
import { changeTenant } from '#messaging/tenants/tenant_settings_changes'
import type { Priority } from '#enums/priority'

/**
 * `tenants:suspend` and `tenants:resume`. While suspended, the API refuses
 * the tenant's sends (403) and the workers hold its messages in `queued`;
 * resuming wakes the messages that were waiting for it.
 */
export class TenantSuspension {
  constructor(private queues = new MessageQueues()) {}

  /** The tenant, suspended; null when there is no such tenant. */
  async suspend(tenantId: string, reason: string | null, actor: AuditActor) {
    return changeTenant(tenantId, actor, (tenant) => {
      if (tenant.status === 'suspended') return null
      tenant.merge({ status: 'suspended', suspendedAt: DateTime.now(), suspensionReason: reason })
      return {
        action: 'tenant.suspended',
        before: { status: 'active' },
        after: { status: 'suspended', reason },
      }
    })
  }

  /** The tenant, active again, its waiting messages woken; null when there is no such tenant. */
  async resume(tenantId: string, actor: AuditActor) {
    let suspendedAt: DateTime | null = null
    const tenant = await changeTenant(tenantId, actor, (row) => {
      if (row.status !== 'suspended') return null
      suspendedAt = row.suspendedAt
      const before = { status: 'suspended', reason: row.suspensionReason }
      row.merge({ status: 'active', suspendedAt: null, suspensionReason: null })
      return { action: 'tenant.resumed', before, after: { status: 'active' } }
    })
    if (tenant && suspendedAt) await this.wake(tenant.id, suspendedAt)
    return tenant
  }

  /**
   * The messages deferred for the suspension are due now and their delayed
   * jobs run at once. Only those: a message backing off after a gateway error
   * keeps its backoff.
   */
  private async wake(tenantId: string, suspendedAt: DateTime) {
    const { rows } = await db.rawQuery<{ rows: Array<{ id: string; priority: Priority }> }>(
      `UPDATE messages m SET next_attempt_at = now(), updated_at = now()
        WHERE m.tenant_id = ? AND m.status = 'queued' AND m.next_attempt_at > now()
          AND EXISTS (SELECT 1 FROM delivery_events e
                       WHERE e.message_id = m.id AND e.type = 'deferred' AND e.reason = ?
                         AND e.occurred_at >= ?)
        RETURNING m.id, m.priority`,
      [tenantId, TENANT_SUSPENDED, suspendedAt.toJSDate()]
    )
    await this.queues.promote(rows)
  }
}
