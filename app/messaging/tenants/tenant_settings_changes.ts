import db from '@adonisjs/lucid/services/db'
import Tenant from '#models/tenant'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'
import { storedSettings, type TenantSettings } from '#messaging/tenants/tenant_settings'
import { withChanges, type TenantSettingChange } from '#messaging/tenants/tenant_setting_input'

/** What a change did to a tenant, for its audit entry. */
export interface TenantChange {
  action: 'tenant.settings_changed' | 'tenant.suspended' | 'tenant.resumed'
  before: Record<string, unknown>
  after: Record<string, unknown>
}

/**
 * Changes a tenant's row and records the change in the audit log, in one
 * transaction holding the row, so two operators' changes never interleave.
 * `change` edits the row and says what it did, or null when there was
 * nothing to do. Every change bumps `updated_at` from the database's clock
 * (a trigger, migration 0024): the workers' caches pick up rows by it. The
 * tenant is read back so it shows that time. Null when there is no such tenant.
 */
export async function changeTenant(
  tenantId: string,
  actor: AuditActor,
  change: (tenant: Tenant) => TenantChange | null,
  audit = new AuditLog()
) {
  return db.transaction(async (trx) => {
    const tenant = await Tenant.query({ client: trx }).where('id', tenantId).forUpdate().first()
    if (!tenant) return null
    const made = change(tenant)
    if (!made) return tenant
    await tenant.save()
    await tenant.refresh()
    await audit.record(
      { tenantId: tenant.id, actor, targetType: 'tenant', targetId: tenant.id, ...made },
      trx
    )
    return tenant
  })
}

/** `tenants:set`: the tenant with these changes made; null when there is no such tenant. */
export function changeTenantSettings(
  tenantId: string,
  changes: TenantSettingChange[],
  actor: AuditActor
) {
  return changeTenant(tenantId, actor, (tenant) => {
    const before = storedSettings(tenant.settings)
    const after = withChanges(before, changes)
    if (sameSettings(before, after)) return null
    tenant.settings = after as Record<string, unknown>
    return { action: 'tenant.settings_changed', before: { ...before }, after: { ...after } }
  })
}

function sameSettings(before: TenantSettings, after: TenantSettings) {
  return JSON.stringify(sorted(before)) === JSON.stringify(sorted(after))
}

function sorted(settings: TenantSettings) {
  return Object.fromEntries(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)))
}
