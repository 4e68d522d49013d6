import type { Logger } from '@adonisjs/core/logger'
import type { Channel } from '#enums/channel'
import type { Gateway } from '#messaging/gateways/gateway'
import type { GatewayFactory } from '#messaging/gateways/gateway_factory'
import type { ClaimedMessage } from '#messaging/outbox/message_store'
import type { ProviderAccount, ProviderAccounts } from '#messaging/providers/provider_accounts'

/** A gateway that may carry a message, in the order to try it. */
export interface GatewayCandidate {
  /** Identifies the gateway account for health and rate limits: `${type}:${configId}` */
  key: string
  gateway: Gateway
  providerConfigId: string | null
}

/**
 * How long a worker reuses a tenant's provider list for a channel: a config
 * change takes effect within this, and a busy worker reads the list once per
 * period instead of once per message.
 */
const ACCOUNTS_TTL_MS = 5_000

interface CachedAccounts {
  expiresAt: number
  accounts: Promise<ProviderAccount[]>
}

/**
 * Chooses the gateways for a message, best first: the tenant's own provider
 * configs for the channel by priority, then the system defaults. With none
 * configured, the default gateway (the log gateway) carries the message.
 */
export class ChannelRouter {
  /** In expiry order: every entry lives the same time and is re-inserted on refresh */
  #accounts = new Map<string, CachedAccounts>()

  constructor(
    private providerAccounts: ProviderAccounts,
    private gateways: GatewayFactory,
    private defaultGateway: Gateway,
    private logger: Logger
  ) {}

  async route(message: ClaimedMessage): Promise<GatewayCandidate[]> {
    const accounts = await this.#accountsFor(message.tenant_id, message.channel)
    if (accounts.length === 0) {
      return [
        { key: this.defaultGateway.type, gateway: this.defaultGateway, providerConfigId: null },
      ]
    }
    // An account that cannot make a gateway is skipped. If none can, the message
    // has no candidate (retried, then failed) rather than the log gateway: a
    // message meant for a real provider must not vanish into a log.
    return accounts.flatMap((account) => this.#candidate(account) ?? [])
  }

  #candidate(account: ProviderAccount): GatewayCandidate | null {
    const { id, type } = account.config
    try {
      return {
        key: `${type}:${id}`,
        gateway: this.gateways.forAccount(account),
        providerConfigId: id,
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      this.logger.error(
        { providerConfigId: id, type, reason },
        'provider config cannot make a gateway'
      )
      return null
    }
  }

  #accountsFor(tenantId: string, channel: Channel) {
    const key = `${tenantId}:${channel}`
    const now = Date.now()
    const cached = this.#accounts.get(key)
    if (cached && cached.expiresAt > now) return cached.accounts

    this.#dropExpired(now)
    const accounts = this.providerAccounts.forChannel(tenantId, channel)
    this.#accounts.delete(key)
    this.#accounts.set(key, { expiresAt: now + ACCOUNTS_TTL_MS, accounts })
    // A failed read is not kept: the next message asks the database again
    accounts.catch(() => {
      if (this.#accounts.get(key)?.accounts === accounts) this.#accounts.delete(key)
    })
    return accounts
  }

  #dropExpired(now: number) {
    for (const [key, entry] of this.#accounts) {
      if (entry.expiresAt > now) break
      this.#accounts.delete(key)
    }
  }
}
