import Tenant from '#models/tenant'
import {
  API_KEY_SCOPES,
  type ApiKeyKind,
  type ApiKeyScope,
} from '#messaging/tenants/api_key_scopes'

export interface TestTenant {
  tenant: Tenant
  apiKey: string
  headers: Record<string, string>
}

/** A fresh tenant with an API key, as `node ace tenants:create` makes them. */
export async function createTenant(name = 'Test tenant'): Promise<TestTenant> {
  const tenant = await Tenant.create({ name, status: 'active', settings: {} })
  const { apiKey, headers } = await createKey(tenant, { scopes: [...API_KEY_SCOPES] })
  return { tenant, apiKey, headers }
}

/**
 * Another key for a tenant (a Tenant or a createTenant() result), with the
 * scopes and kind a test needs (`live` by default). Written straight through
 * the key provider: no audit entry, like any fixture.
 */
export async function createKey(
  owner: Tenant | TestTenant,
  { scopes, kind = 'live' }: { scopes: ApiKeyScope[]; kind?: ApiKeyKind }
) {
  const tenant = owner instanceof Tenant ? owner : owner.tenant
  const token = await Tenant.apiKeys.create(tenant, scopes, {
    name: `${scopes.join('+')} ${kind} key`,
    kind,
  })
  const apiKey = token.value!.release()
  return {
    keyId: String(token.identifier),
    apiKey,
    headers: { authorization: `Bearer ${apiKey}` },
  }
}
