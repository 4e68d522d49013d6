import { Channel, CHANNELS } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { maskSecret } from '#messaging/accounts/credentials_cipher'

interface ProviderTypeRules {
  /** The channels a gateway of this type can deliver */
  channels: readonly Channel[]
  /** The config field holding the type's secret; it is shown only as a mask */
  secretField: string | null
  /** Further secret fields, also shown only as masks */
  otherSecrets?: string[]
}

/** What each provider type carries, and which of its config fields is secret. */
export const PROVIDER_TYPES: Record<GatewayType, ProviderTypeRules> = {
  [GatewayType.Postal]: { channels: [Channel.Email], secretField: 'apiKey' },
  [GatewayType.Ses]: { channels: [Channel.Email], secretField: 'secretAccessKey' },
  [GatewayType.Twilio]: { channels: [Channel.Sms], secretField: 'authToken' },
  [GatewayType.Fcm]: {
    channels: [Channel.Push],
    secretField: 'serviceAccount',
    otherSecrets: ['reportSecret'],
  },
  [GatewayType.Webhook]: { channels: [Channel.Webhook], secretField: 'secret' },
  [GatewayType.Log]: { channels: CHANNELS, secretField: null },
}

/** Every provider type's secret config fields, each named once */
export const PROVIDER_SECRET_FIELDS = [
  ...new Set(
    Object.values(PROVIDER_TYPES).flatMap(({ secretField, otherSecrets = [] }) =>
      secretField ? [secretField, ...otherSecrets] : otherSecrets
    )
  ),
]

/**
 * The `mask` column: the last characters of the type's main secret (for FCM,
 * the service account's private key); empty for a type without a secret.
 */
export function maskFor(type: GatewayType, config: Record<string, unknown>) {
  const field = PROVIDER_TYPES[type].secretField
  if (!field) return ''
  // A config written by hand (SQL, a sandbox placeholder) may lack it: listing it must not fail
  const secret =
    type === GatewayType.Fcm
      ? (config.serviceAccount as { private_key?: unknown } | undefined)?.private_key
      : config[field]
  return typeof secret === 'string' ? maskSecret(secret.trim()) : ''
}

/** A config as it may be shown: the secret field replaced by its mask. */
export function visibleConfig(type: GatewayType, config: Record<string, unknown>) {
  const { secretField, otherSecrets = [] } = PROVIDER_TYPES[type]
  const visible = secretField ? { ...config, [secretField]: maskFor(type, config) } : { ...config }
  for (const field of otherSecrets) {
    if (typeof config[field] === 'string') visible[field] = maskSecret(config[field])
  }
  return visible
}
