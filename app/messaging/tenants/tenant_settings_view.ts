import type Tenant from '#models/tenant'
import {
  effectiveSettings,
  QUOTA_KEYS,
  rateLimitSpec,
  storedSettings,
  type Quota,
  type TenantSettingDefaults,
} from '#messaging/tenants/tenant_settings'

/** A tenant's settings as an operator reads them: what is stored, and what is in force. */
export function tenantSettingsView(tenant: Tenant, defaults: TenantSettingDefaults) {
  const effective = effectiveSettings(tenant.settings, defaults)
  return {
    tenantId: tenant.id,
    name: tenant.name,
    status: tenant.status,
    suspendedAt: tenant.suspendedAt?.toISO() ?? null,
    suspensionReason: tenant.suspensionReason,
    stored: storedSettings(tenant.settings),
    effective: {
      apiRateLimit: rateLimitSpec(effective.apiRateLimit),
      sendRateLimit: rateLimitSpec(effective.sendRateLimit),
      dailyQuota: quotaSpec(effective.dailyQuota),
      monthlyQuota: quotaSpec(effective.monthlyQuota),
      weight: effective.weight,
    },
    updatedAt: tenant.updatedAt.toISO(),
  }
}

export type TenantSettingsView = ReturnType<typeof tenantSettingsView>

/** `all=2000,email=1000`, or `none`, as tenants:set takes it. */
function quotaSpec(quota: Quota) {
  const entries = QUOTA_KEYS.filter((key) => quota[key] !== undefined)
  return entries.length ? entries.map((key) => `${key}=${quota[key]}`).join(',') : 'none'
}
