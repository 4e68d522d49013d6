import db from '@adonisjs/lucid/services/db'
import type Tenant from '#models/tenant'
import type { Quota } from '#messaging/tenants/tenant_settings'
import { createTenant } from '#tests/helpers/tenants'

/** Set a tenant's quotas as `tenants:set` stores them (absent: no quota of that period). */
export async function setQuotas(
  tenant: Tenant,
  quotas: { dailyQuota?: Quota; monthlyQuota?: Quota }
) {
  tenant.settings = { ...tenant.settings, ...quotas }
  await tenant.save()
}

type Quotas = { dailyQuota?: Quota; monthlyQuota?: Quota }

/** A fresh tenant (see createTenant) with these quotas. */
export async function tenantWithQuotas(quotas: Quotas) {
  const created = await createTenant()
  await setQuotas(created.tenant, quotas)
  return created
}

/** How many messages and events a tenant has stored. */
export async function storedFor(tenantId: string) {
  const [messages, events] = await Promise.all([
    db.from('messages').where('tenant_id', tenantId).count('* as count').firstOrFail(),
    db.from('delivery_events').where('tenant_id', tenantId).count('* as count').firstOrFail(),
  ])
  return { messages: Number(messages.count), events: Number(events.count) }
}
