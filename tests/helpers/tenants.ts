import Tenant from '#models/tenant'
import { API_KEY_SCOPES } from '#messaging/tenants/api_key_scopes'

export interface TestTenant {
  tenant: Tenant
  apiKey: string
  headers: Record<string, string>
}

/** A fresh tenant with an API key, as `node ace tenants:create` makes them. */
export async function createTenant(name = 'Test tenant'): Promise<TestTenant> {
  const tenant = await Tenant.create({ name, status: 'active', settings: {} })
  const token = await Tenant.apiKeys.create(tenant, [...API_KEY_SCOPES], { name: 'test' })
  const apiKey = token.value!.release()
  return { tenant, apiKey, headers: { authorization: `Bearer ${apiKey}` } }
}
