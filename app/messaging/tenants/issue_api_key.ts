import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import Tenant from '#models/tenant'
import { AuditLog } from '#messaging/audit/audit_log'
import type { ApiKeyKind, ApiKeyScope } from '#messaging/tenants/api_key_scopes'
import { issuedKey } from '#messaging/tenants/api_key_view'
import { assertMayGrant, type ApiKeyChanger } from '#messaging/tenants/api_key_changer'

export interface ApiKeyRequest {
  name: string
  scopes: ApiKeyScope[]
  kind?: ApiKeyKind
  expiresInDays?: number
}

const SECONDS_PER_DAY = 86_400

/**
 * Issues a key to a tenant. Only the secret's hash is stored: the reply is the
 * one time the secret is seen. Pass `trx` to issue it as part of a larger
 * change (a tenant being created).
 */
@inject()
export class IssueApiKey {
  constructor(private audit: AuditLog) {}

  async handle(
    tenant: Tenant,
    request: ApiKeyRequest,
    changer: ApiKeyChanger,
    trx?: TransactionClientContract
  ) {
    assertMayGrant(changer, { scopes: request.scopes, kind: request.kind ?? 'live' })
    return trx
      ? this.issue(tenant, request, changer, trx)
      : db.transaction((own) => this.issue(tenant, request, changer, own))
  }

  private async issue(
    tenant: Tenant,
    { name, scopes, kind, expiresInDays }: ApiKeyRequest,
    changer: ApiKeyChanger,
    trx: TransactionClientContract
  ) {
    const token = await Tenant.apiKeys.using(trx).create(tenant, scopes, {
      name,
      kind,
      expiresIn: expiresInDays ? expiresInDays * SECONDS_PER_DAY : undefined,
    })
    const { apiKey, ...key } = issuedKey(token)
    await this.audit.record(
      {
        tenantId: tenant.id,
        actor: changer.actor,
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: key.id,
        before: null,
        after: { ...key },
      },
      trx
    )
    return { ...key, apiKey }
  }
}
