import type { Channel } from '#enums/channel'
import ProviderConfig from '#models/provider_config'
import type { CredentialsCipher } from '#messaging/providers/credentials_cipher'

/** A provider config with its credentials decrypted: lives in memory only. */
export interface ProviderAccount<Credentials = Record<string, unknown>> {
  config: ProviderConfig
  credentials: Credentials
}

/**
 * Reads provider configs with their credentials decrypted. A tenant's own
 * accounts come first (by priority), then the system defaults (no tenant).
 */
export class ProviderAccounts {
  constructor(private cipher: CredentialsCipher) {}

  async find(id: string): Promise<ProviderAccount | null> {
    const config = await ProviderConfig.find(id)
    return config ? this.open(config) : null
  }

  async forChannel(tenantId: string, channel: Channel): Promise<ProviderAccount[]> {
    const configs = await ProviderConfig.query()
      .where('channel', channel)
      .where('enabled', true)
      .where((scope) => scope.where('tenant_id', tenantId).orWhereNull('tenant_id'))
      .orderByRaw('tenant_id IS NULL, priority, created_at')
    return configs.map((config) => this.open(config))
  }

  open(config: ProviderConfig): ProviderAccount {
    return { config, credentials: this.cipher.decrypt(config.encryptedConfig) }
  }

  seal(credentials: Record<string, unknown>) {
    return this.cipher.encrypt(credentials)
  }
}
