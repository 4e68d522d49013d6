import Tenant from '#models/tenant'
import { apiKeyView } from '#messaging/tenants/api_key_view'

/** A tenant's keys, the last used first; masked, never a secret or a hash. */
export class ListApiKeys {
  async handle(tenant: Tenant) {
    const tokens = await Tenant.apiKeys.all(tenant)
    return tokens.map(apiKeyView)
  }
}
