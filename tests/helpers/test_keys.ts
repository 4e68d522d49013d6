import Tenant from '#models/tenant'
import { API_KEY_SCOPES } from '#messaging/tenants/api_key_scopes'

/** Request headers with a new test key of the tenant's (every scope). */
export async function testKeyHeaders(tenant: Tenant) {
  const token = await Tenant.apiKeys.create(tenant, [...API_KEY_SCOPES], {
    name: 'test key',
    kind: 'test',
  })
  return { authorization: `Bearer ${token.value!.release()}` }
}
