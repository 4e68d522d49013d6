import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import Tenant from '#models/tenant'
import { AuditLog } from '#messaging/audit/audit_log'
import type { ApiKeyScope } from '#messaging/tenants/api_key_scopes'
import { kindOf } from '#models/tenant_api_keys'
import { apiKeyView, issuedKey } from '#messaging/tenants/api_key_view'
import { assertMayGrant, type ApiKeyChanger } from '#messaging/tenants/api_key_changer'
import { keyToChange } from '#messaging/tenants/key_to_change'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import {
  ApiKeyAlreadyRotatedException,
  ApiKeyNotFoundException,
} from '#exceptions/api_key_exceptions'

/**
 * Replaces a key with a new one of the same name, scopes and kind (which
 * does not expire). The old key stops working at once, or after
 * `graceSeconds` so its callers can switch without downtime (never later
 * than it would have expired anyway). An expired key is not found; a key
 * already replaced (in its grace) is not rotated again, which would leave two
 * live successors of one key.
 */
@inject()
export class RotateApiKey {
  constructor(private audit: AuditLog) {}

  async handle(tenant: Tenant, keyId: string, graceSeconds: number, changer: ApiKeyChanger) {
    return db.transaction(async (trx) => {
      const keys = Tenant.apiKeys.using(trx)
      const old = await keyToChange(trx, tenant, keyId)
      // An expired key is as gone as it is to the auth guard
      if (old.isExpired()) throw new ApiKeyNotFoundException()
      const oldId = String(old.identifier)
      if (await this.wasRotated(trx, tenant, oldId)) throw new ApiKeyAlreadyRotatedException()
      const scopes = old.abilities as ApiKeyScope[]
      const kind = kindOf(old)
      assertMayGrant(changer, { scopes, kind })

      const token = await keys.create(tenant, scopes, { name: old.name ?? undefined, kind })
      const stopsAt = this.stopTime(old.expiresAt, graceSeconds)
      if (graceSeconds > 0) {
        await trx.from('api_keys').where('id', oldId).update({ expires_at: stopsAt })
      } else {
        await keys.delete(tenant, oldId)
      }
      const replaced = { id: oldId, expiresAt: stopsAt.toISOString() }
      const { apiKey, ...key } = issuedKey(token)
      await this.audit.record(
        {
          tenantId: tenant.id,
          actor: changer.actor,
          action: 'api_key.rotated',
          targetType: 'api_key',
          targetId: oldId,
          before: { ...apiKeyView(old) },
          after: { ...key, replaced },
        },
        trx
      )
      return { ...key, apiKey, replaced }
    })
  }

  /** Every rotation is audited in its own transaction, so its entry is the record that it happened. */
  private async wasRotated(trx: TransactionClientContract, tenant: Tenant, keyId: string) {
    const entry = await trx
      .from('audit_entries')
      .where({ tenant_id: tenant.id, action: 'api_key.rotated', target_type: 'api_key' })
      .where('target_id', keyId)
      .first()
    return Boolean(entry)
  }

  private stopTime(expiresAt: Date | null, graceSeconds: number) {
    const afterGrace = new Date(Date.now() + graceSeconds * 1000)
    return expiresAt && expiresAt < afterGrace ? expiresAt : afterGrace
  }
}
