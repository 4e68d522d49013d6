import { randomUUID } from 'node:crypto'
import type { Channel } from '#enums/channel'
import ProviderConfig from '#models/provider_config'
import type { CredentialsCipher } from '#messaging/accounts/credentials_cipher'
import { PROVIDER_CREDENTIALS, sealedRow } from '#messaging/accounts/credentials_columns'

/** A provider config with its credentials decrypted: lives in memory only. */
export interface ProviderAccount<Credentials = Record<string, unknown>> {
  config: ProviderConfig
  credentials: Credentials
}

/** The row a config's credentials are sealed to */
type ConfigRow = Pick<ProviderConfig, 'id' | 'tenantId'>

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
    const row = sealedRow(PROVIDER_CREDENTIALS, config)
    return { config, credentials: this.cipher.decrypt(config.encryptedConfig, row) }
  }

  /** The credentials sealed to their config's row: they open in no other */
  seal(config: ConfigRow, credentials: Record<string, unknown>) {
    return this.cipher.encrypt(credentials, sealedRow(PROVIDER_CREDENTIALS, config))
  }

  /**
   * The id, owner and sealed credentials of a config about to be created: its
   * id is chosen here rather than by the database, since the seal is bound to it.
   */
  sealNew(tenantId: string | null, credentials: Record<string, unknown>) {
    const row = { id: randomUUID(), tenantId }
    return { ...row, encryptedConfig: this.seal(row, credentials) }
  }
}
