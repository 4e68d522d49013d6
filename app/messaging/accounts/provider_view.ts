import type { ProviderAccount } from '#messaging/accounts/provider_accounts'
import { visibleConfig } from '#messaging/accounts/provider_types'

/**
 * A provider config as the API shows it: the config's ordinary fields, and
 * its secret only as a mask. The tenant and the sealed blob are never shown.
 */
export function providerView({ config, credentials }: ProviderAccount) {
  return {
    id: config.id,
    type: config.type,
    channel: config.channel,
    name: config.name,
    priority: config.priority,
    enabled: config.enabled,
    config: visibleConfig(config.type, credentials),
    metadata: config.metadata,
    createdAt: config.createdAt.toISO(),
    updatedAt: config.updatedAt.toISO(),
  }
}
