import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import Tenant from '#models/tenant'
import type { TestTenant } from '#tests/helpers/tenants'
import type { AuditRow } from '#messaging/audit/audit_entries'

/** The id of the tenant's key its `headers` carry (createTenant issues one) */
export async function keyIdOf({ tenant }: TestTenant) {
  const [key] = await Tenant.apiKeys.all(tenant)
  return String(key.identifier)
}

/** The stored entries about one target, oldest first */
export async function auditRowsFor(targetType: string, targetId: string): Promise<AuditRow[]> {
  return db
    .from('audit_entries')
    .where({ target_type: targetType, target_id: targetId })
    .orderBy('id')
}

/** The stored entries of one tenant (null: the system ones), oldest first */
export async function auditRowsOf(tenantId: string | null): Promise<AuditRow[]> {
  const query = db.from('audit_entries').orderBy('id')
  return tenantId === null ? query.whereNull('tenant_id') : query.where('tenant_id', tenantId)
}

/** Each row as PostgreSQL prints it whole: what a secret must never appear in */
export async function rawAuditText(rows: AuditRow[]) {
  const { rows: printed } = await db.rawQuery(
    'SELECT e::text AS raw FROM audit_entries e WHERE id = ANY(?::bigint[])',
    [rows.map((row) => row.id)]
  )
  return (printed as Array<{ raw: string }>).map(({ raw }) => raw).join('\n')
}

/** GET /api/v1/audit with these query parameters */
export function auditThroughApi(
  client: ApiClient,
  headers: Record<string, string>,
  qs: Record<string, unknown> = {}
) {
  return client.get('/api/v1/audit').headers(headers).qs(qs)
}
