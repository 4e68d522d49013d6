import { Channel, CHANNELS } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { maskSecret } from '#messaging/providers/credentials_cipher'

interface ProviderTypeRules {
  /** The channels a gateway of this type can deliver */
  channels: readonly Channel[]
  /** The config field holding the type's secret; it is shown only as a mask */
  secretField: string | null
}

/** What each provider type carries, and which of its config fields is secret. */
export const PROVIDER_TYPES: Record<GatewayType, ProviderTypeRules> = {
  [GatewayType.Postal]: { channels: [Channel.Email], secretField: 'apiKey' },
  [GatewayType.Ses]: { channels: [Channel.Email], secretField: 'secretAccessKey' },
  [GatewayType.Twilio]: { channels: [Channel.Sms], secretField: 'authToken' },
  [GatewayType.Fcm]: { channels: [Channel.Push], secretField: 'serviceAccount' },
  [GatewayType.Webhook]: { channels: [Channel.Webhook], secretField: 'secret' },
  [GatewayType.Log]: { channels: CHANNELS, secretField: null },
}

/**
 * The `mask` column: the last characters of the type's main secret (for FCM,
 * the service account's private key); empty for a type without a secret.
 */
export function maskFor(type: GatewayType, config: Record<string, unknown>) {
  const field = PROVIDER_TYPES[type].secretField
  if (!field) return ''
  const secret =
    type === GatewayType.Fcm
      ? (config.serviceAccount as { private_key: string }).private_key
      : config[field]
  return maskSecret(String(secret).trim())
}

/** A config as it may be shown: the secret field replaced by its mask. */
export function visibleConfig(type: GatewayType, config: Record<string, unknown>) {
  const field = PROVIDER_TYPES[type].secretField
  return field ? { ...config, [field]: maskFor(type, config) } : { ...config }
}
