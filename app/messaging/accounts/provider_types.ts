import type { GatewayType } from '#enums/gateway_type'
import { maskSecret } from '#messaging/accounts/credentials_cipher'
import type { Vendor } from '#messaging/vendors/contract/vendor'
import { VENDORS, vendorOf } from '#messaging/vendors/index'

/** A vendor's secret config fields: its main secret, then the others */
export function secretFieldsOf({ secret, otherSecrets = [] }: Vendor): string[] {
  return secret ? [secret.field, ...otherSecrets] : otherSecrets
}

/** Every provider type's secret config fields, each named once */
export const PROVIDER_SECRET_FIELDS = [...new Set(VENDORS.flatMap(secretFieldsOf))]

/**
 * The `mask` column: the last characters of the type's main secret (for FCM,
 * the service account's private key); empty for a type without a secret.
 */
export function maskFor(type: GatewayType, config: Record<string, unknown>) {
  const { secret } = vendorOf(type)
  if (!secret) return ''
  // A config written by hand (SQL, a sandbox placeholder) may lack it: listing it must not fail
  const value = secret.value ? secret.value(config) : config[secret.field]
  return typeof value === 'string' ? maskSecret(value.trim()) : ''
}

/** A config as it may be shown: the secret fields replaced by their masks. */
export function visibleConfig(type: GatewayType, config: Record<string, unknown>) {
  const { secret, otherSecrets = [] } = vendorOf(type)
  const visible = secret ? { ...config, [secret.field]: maskFor(type, config) } : { ...config }
  for (const field of otherSecrets) {
    if (typeof config[field] === 'string') visible[field] = maskSecret(config[field])
  }
  return visible
}
