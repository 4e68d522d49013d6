import db from '@adonisjs/lucid/services/db'
import type { AuditFilters } from '#validators/audit'

const DEFAULT_LIMIT = 50

/** Whose entries to read: a tenant sees only its own; an operator every one, system ones too. */
export type AuditScope = { tenantId: string } | 'everyone'

/** An audit_entries row as PostgreSQL returns it (bigint ids as strings) */
export interface AuditRow {
  id: string
  tenant_id: string | null
  actor_type: string
  actor_id: string
  action: string
  target_type: string
  target_id: string | null
  before: Record<string, unknown> | null
  after: Record<string, unknown> | null
  created_at: Date
}

/**
 * Reads the audit log newest first, a page at a time. The cursor is an entry
 * id (ids only grow), so a page never shifts while new entries are written.
 */
export class AuditEntries {
  async list(scope: AuditScope, filters: AuditFilters) {
    const limit = filters.limit ?? DEFAULT_LIMIT
    const actor = filters.actor
    const rows: AuditRow[] = await db
      .from('audit_entries')
      .if(scope !== 'everyone', (query) =>
        query.where('tenant_id', (scope as { tenantId: string }).tenantId)
      )
      .if(filters.action, (query) => query.where('action', filters.action!))
      .if(actor, (query) => query.where({ actor_type: actor!.type, actor_id: actor!.id }))
      .if(filters.actorType, (query) => query.where('actor_type', filters.actorType!))
      .if(filters.actorId, (query) => query.where('actor_id', filters.actorId!))
      .if(filters.targetType, (query) => query.where('target_type', filters.targetType!))
      .if(filters.targetId, (query) => query.where('target_id', filters.targetId!))
      .if(filters.since, (query) => query.where('created_at', '>=', filters.since!))
      .if(filters.until, (query) => query.where('created_at', '<', filters.until!))
      .if(filters.before, (query) => query.where('id', '<', filters.before!))
      .orderBy('id', 'desc')
      .limit(limit + 1)
    const page = rows.slice(0, limit)
    return {
      entries: page.map(auditEntryView),
      next: rows.length > limit ? page[page.length - 1].id : null,
    }
  }
}

function auditEntryView(row: AuditRow) {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    actor: { type: row.actor_type, id: row.actor_id },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    before: row.before,
    after: row.after,
    createdAt: row.created_at.toISOString(),
  }
}
