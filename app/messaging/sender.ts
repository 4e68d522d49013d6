import type { ApiKeyKind } from '#messaging/tenants/api_key_scopes'

/** Who sends through the API: the tenant as the request found it, and the kind of key it used. */
export interface Sender {
  tenantId: string
  /** tenants.settings as read with the request (its quotas) */
  settings: unknown
  /** A test key's message runs the whole pipeline without calling a vendor */
  test: boolean
}

export function senderOf(
  tenant: { id: string; settings: unknown },
  key: { kind: ApiKeyKind }
): Sender {
  return { tenantId: tenant.id, settings: tenant.settings, test: key.kind === 'test' }
}
