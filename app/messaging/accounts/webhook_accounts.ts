import { inject } from '@adonisjs/core'
import type { GatewayType } from '#enums/gateway_type'
import { WebhookProviderNotFoundException } from '#exceptions/webhook_exceptions'
import { ProviderAccounts, type ProviderAccount } from '#messaging/accounts/provider_accounts'

/**
 * How long a looked-up account is reused: a provider posting a burst of
 * callbacks costs one read and one decryption per period, not per callback;
 * a changed key or a deleted config takes effect within it.
 */
const ACCOUNT_TTL_MS = 5_000
const ACCOUNTS_KEPT = 1_000
const recent = new Map<string, { expiresAt: number; account: Promise<ProviderAccount | null> }>()

/**
 * The provider account a webhook path names (`…/postal/:providerId`): the
 * key that verifies its signature and the scope of the messages it may touch.
 * A disabled account still receives webhooks, since messages it sent keep
 * reporting after it was switched off.
 */
@inject()
export class WebhookAccounts {
  constructor(private accounts: ProviderAccounts) {}

  async find<Credentials>(id: string, type: GatewayType) {
    const account = await this.#find(id)
    if (!account || account.config.type !== type) {
      throw new WebhookProviderNotFoundException()
    }
    return account as ProviderAccount<Partial<Credentials>>
  }

  #find(id: string) {
    const now = Date.now()
    const cached = recent.get(id)
    if (cached && cached.expiresAt > now) return cached.account
    if (recent.size >= ACCOUNTS_KEPT) recent.clear()
    const account = this.accounts.find(id)
    recent.set(id, { expiresAt: now + ACCOUNT_TTL_MS, account })
    account.catch(() => recent.delete(id))
    return account
  }
}
