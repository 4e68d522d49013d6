import { DbAccessTokensProvider } from '@adonisjs/auth/access_tokens'
import type { AccessToken } from '@adonisjs/auth/access_tokens'
import type { AccessTokenDbColumns } from '@adonisjs/auth/types/access_tokens'
import type { LucidModel } from '@adonisjs/lucid/types/model'
import type { ApiKeyKind } from '#messaging/tenants/api_key_scopes'

const kinds = new WeakMap<AccessToken, ApiKeyKind>()

/**
 * @adonisjs/auth's access tokens, with the key's kind read from the same row
 * the guard already loads, so knowing it costs no extra query.
 */
export class TenantApiKeysProvider<Model extends LucidModel> extends DbAccessTokensProvider<Model> {
  protected dbRowToAccessToken(dbRow: AccessTokenDbColumns) {
    const token = super.dbRowToAccessToken(dbRow)
    kinds.set(token, ((dbRow as { kind?: ApiKeyKind }).kind ?? 'live') as ApiKeyKind)
    return token
  }
}

/** The kind of a key the provider loaded; a key made before kinds existed is `live`. */
export function kindOf(token: AccessToken): ApiKeyKind {
  return kinds.get(token) ?? 'live'
}
