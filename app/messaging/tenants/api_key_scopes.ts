/**
 * What an API key may do. `send` accepts and cancels messages, `read` looks
 * at messages, stats, conversations and configuration, `manage` changes
 * configuration (providers, templates, webhooks, suppressions, keys).
 */
export const API_KEY_SCOPES = ['send', 'read', 'manage'] as const
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number]

/** `live` keys send for real; `test` keys run the whole pipeline without calling a vendor. */
export const API_KEY_KINDS = ['live', 'test'] as const
export type ApiKeyKind = (typeof API_KEY_KINDS)[number]

/** The key a request was made with, as the auth middleware found it. */
export interface ApiKeyIdentity {
  id: string
  tenantId: string
  scopes: ApiKeyScope[]
  kind: ApiKeyKind
}
