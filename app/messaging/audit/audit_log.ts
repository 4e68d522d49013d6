import db from '@adonisjs/lucid/services/db'
import type { QueryClientContract } from '@adonisjs/lucid/types/database'
import { auditSnapshot } from '#messaging/audit/audit_snapshot'

export const AUDIT_ACTOR_TYPES = ['api_key', 'operator', 'user', 'system'] as const

/**
 * Who made a change: a tenant's API key (by id), an operator at the command
 * line, or a person signed in to the console (by user id).
 */
export interface AuditActor {
  type: (typeof AUDIT_ACTOR_TYPES)[number]
  id: string
}

/**
 * One change. `before` and `after` are what the change replaced and made (the
 * view the API shows, a model; null for a creation's before or a removal's
 * after): stored through auditSnapshot, so every secret in them is masked.
 */
export interface AuditChange {
  tenantId: string | null
  actor: AuditActor
  /** `<target type>.<verb>`, e.g. `provider.created`, `api_key.revoked`, `tenant.settings_changed` */
  action: string
  targetType: string
  targetId: string | null
  before?: object | null
  after?: object | null
}

/**
 * Appends changes to `audit_entries`. Pass the transaction that makes the
 * change, so the entry exists exactly when the change does.
 */
export class AuditLog {
  async record(change: AuditChange, client: QueryClientContract = db.connection()) {
    await client.table('audit_entries').insert({
      tenant_id: change.tenantId,
      actor_type: change.actor.type,
      actor_id: change.actor.id,
      action: change.action,
      target_type: change.targetType,
      target_id: change.targetId,
      before: change.before ? JSON.stringify(auditSnapshot(change.before)) : null,
      after: change.after ? JSON.stringify(auditSnapshot(change.after)) : null,
    })
  }
}
