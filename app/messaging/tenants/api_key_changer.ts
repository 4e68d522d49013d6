import { ApiKeyEscalationException, TestKeyScopeException } from '#exceptions/api_key_exceptions'
import type { AuditActor } from '#messaging/audit/audit_log'
import type { ApiKeyIdentity, ApiKeyKind, ApiKeyScope } from '#messaging/tenants/api_key_scopes'

/**
 * Who changes a tenant's keys: over the API, the key making the request (and
 * its identity, which bounds what it may grant); at the command line, an
 * operator, who may grant anything.
 */
export interface ApiKeyChanger {
  actor: AuditActor
  key?: ApiKeyIdentity
}

/**
 * A key never makes a key that can do more than itself: a test key makes
 * only test keys, and no key grants a scope it does not hold. No one, not even
 * an operator, makes a test key with `manage`: providers, suppressions and
 * keys are shared with the live traffic.
 */
export function assertMayGrant(
  changer: ApiKeyChanger,
  grant: { scopes: ApiKeyScope[]; kind: ApiKeyKind }
) {
  if (grant.kind === 'test' && grant.scopes.includes('manage')) {
    throw new TestKeyScopeException()
  }
  const key = changer.key
  if (!key) return
  if (key.kind === 'test' && grant.kind !== 'test') {
    throw new ApiKeyEscalationException('A test key may only issue test keys')
  }
  const extra = grant.scopes.filter((scope) => !key.scopes.includes(scope))
  if (extra.length) {
    throw new ApiKeyEscalationException(
      `This API key cannot grant scopes it does not hold: ${extra.join(', ')}`
    )
  }
}

/** A test key changes only test keys (it could otherwise revoke the live traffic's keys). */
export function assertMayChange(changer: ApiKeyChanger, target: { kind: ApiKeyKind }) {
  if (changer.key?.kind === 'test' && target.kind !== 'test') {
    throw new ApiKeyEscalationException('A test key may only change test keys')
  }
}
