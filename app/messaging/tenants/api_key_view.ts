import type { AccessToken } from '@adonisjs/auth/access_tokens'
import Tenant from '#models/tenant'
import type { ApiKeyKind, ApiKeyScope } from '#messaging/tenants/api_key_scopes'
import { kindOf } from '#models/tenant_api_keys'

/** A key as it is listed and audited: never its secret nor its hash. */
export interface ApiKeyView {
  id: string
  name: string | null
  scopes: ApiKeyScope[]
  kind: ApiKeyKind
  masked: string
  createdAt: string
  lastUsedAt: string | null
  expiresAt: string | null
}

export function apiKeyView(token: AccessToken): ApiKeyView {
  return {
    id: String(token.identifier),
    name: token.name,
    scopes: token.abilities as ApiKeyScope[],
    kind: kindOf(token),
    masked: Tenant.apiKeys.masked(token),
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    expiresAt: token.expiresAt?.toISOString() ?? null,
  }
}

/** A key just issued: its view and, this once, its secret. */
export function issuedKey(token: AccessToken) {
  return { ...apiKeyView(token), apiKey: token.value!.release() }
}
