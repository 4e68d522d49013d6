import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import Tenant from '#models/tenant'
import { AuditLog } from '#messaging/audit/audit_log'
import { apiKeyView } from '#messaging/tenants/api_key_view'
import { assertMayChange, type ApiKeyChanger } from '#messaging/tenants/api_key_changer'
import { kindOf } from '#models/tenant_api_keys'
import { keyToChange } from '#messaging/tenants/key_to_change'

/** Deletes a key: the next request made with it gets 401. */
@inject()
export class RevokeApiKey {
  constructor(private audit: AuditLog) {}

  async handle(tenant: Tenant, keyId: string, changer: ApiKeyChanger) {
    await db.transaction(async (trx) => {
      const token = await keyToChange(trx, tenant, keyId)
      assertMayChange(changer, { kind: kindOf(token) })
      await Tenant.apiKeys.using(trx).delete(tenant, token.identifier)
      await this.audit.record(
        {
          tenantId: tenant.id,
          actor: changer.actor,
          action: 'api_key.revoked',
          targetType: 'api_key',
          targetId: String(token.identifier),
          before: { ...apiKeyView(token) },
          after: null,
        },
        trx
      )
    })
  }
}
