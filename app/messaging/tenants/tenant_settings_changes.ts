import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Tenant from '#models/tenant'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'
import { storedSettings, type TenantSettings } from '#messaging/tenants/tenant_settings'
import { withChanges, type TenantSettingChange } from '#messaging/tenants/tenant_setting_input'

/**
 * Changes a tenant's row and records the change in the audit log, in one
 * transaction holding the row, so two operators' changes never interleave.
 * Every change bumps `updated_at`: the workers' caches pick up rows by it.
 */
export async function changeTenant(
  tenantId: string,
  change: (tenant: Tenant, trx: TransactionClientContract) => Promise<void>
) {
  return db.transaction(async (trx) => {
    const tenant = await Tenant.query({ client: trx }).where('id', tenantId).forUpdate().first()
    if (!tenant) return null
    await change(tenant, trx)
    return tenant
  })
}

/** `tenants:set`: the settings with these changes made; null when there is no such tenant. */
export class TenantSettingsChanges {
  constructor(private audit = new AuditLog()) {}

  async apply(tenantId: string, changes: TenantSettingChange[], actor: AuditActor) {
    return changeTenant(tenantId, async (tenant, trx) => {
      const before = storedSettings(tenant.settings)
      const after = withChanges(before, changes)
      if (sameSettings(before, after)) return
      tenant.settings = after as Record<string, unknown>
      await tenant.save()
      await this.audit.record(
        {
          tenantId: tenant.id,
          actor,
          action: 'tenant.settings_changed',
          targetType: 'tenant',
          targetId: tenant.id,
          before: { ...before },
          after: { ...after },
        },
        trx
      )
    })
  }
}

function sameSettings(before: TenantSettings, after: TenantSettings) {
  return JSON.stringify(sorted(before)) === JSON.stringify(sorted(after))
}

function sorted(settings: TenantSettings) {
  return Object.fromEntries(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)))
}
