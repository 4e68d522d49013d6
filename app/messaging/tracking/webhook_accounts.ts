import { inject } from '@adonisjs/core'
import type { GatewayType } from '#enums/gateway_type'
import { WebhookProviderNotFoundException } from '#exceptions/webhook_exceptions'
import { ProviderAccounts, type ProviderAccount } from '#messaging/providers/provider_accounts'
import type { ProviderEventContext } from '#messaging/tracking/provider_event'

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
    const account = await this.accounts.find(id)
    if (!account || account.config.type !== type) {
      throw new WebhookProviderNotFoundException()
    }
    return account as ProviderAccount<Partial<Credentials>>
  }
}

/** Events from a tenant's own account may only touch that tenant's messages. */
export function eventContextOf(account: ProviderAccount<unknown>): ProviderEventContext {
  return { providerConfigId: account.config.id, tenantId: account.config.tenantId }
}
