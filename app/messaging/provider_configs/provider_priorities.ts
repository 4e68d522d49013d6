import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import ProviderConfig from '#models/provider_config'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { providerView } from '#messaging/accounts/provider_view'
import {
  ownedBy,
  ownedProvider,
  type ProviderOwner,
} from '#messaging/provider_configs/provider_owner'

export type MoveDirection = 'up' | 'down'

/**
 * The order an owner's providers of one channel are tried in: by priority,
 * then the older first, as the router and the provider list read them.
 */
@inject()
export class ProviderPriorities {
  constructor(
    private accounts: ProviderAccounts,
    private audit: AuditLog
  ) {}

  /**
   * Moves a provider one place earlier (up) or later (down) among its
   * owner's providers of its channel; false when it is already at that end.
   * The two swap priorities; where priorities tie (every provider created
   * with the default 0), the channel's providers are numbered 0, 1, 2… in
   * their new order instead. Each changed provider is audited as updated.
   */
  async move(owner: ProviderOwner, id: string, direction: MoveDirection, actor: AuditActor) {
    return db.transaction(async (trx) => {
      const target = await ownedProvider(owner, id, trx)
      const group = await ownedBy(ProviderConfig.query({ client: trx }), owner)
        .where('channel', target.channel)
        .orderBy([{ column: 'priority' }, { column: 'created_at' }, { column: 'id' }])
        .forUpdate()
      const from = group.findIndex((config) => config.id === id)
      const to = from + (direction === 'up' ? -1 : 1)
      if (to < 0 || to >= group.length) return false

      const order = [...group]
      ;[order[from], order[to]] = [order[to], order[from]]
      const slots = distinct(group)
        ? group.map((config) => config.priority)
        : group.map((_config, index) => index)
      for (const [index, config] of order.entries()) {
        if (config.priority === slots[index]) continue
        const before = providerView(this.accounts.open(config))
        await config.useTransaction(trx).merge({ priority: slots[index] }).save()
        await this.audit.record(
          {
            tenantId: owner,
            actor,
            action: 'provider.updated',
            targetType: 'provider',
            targetId: config.id,
            before,
            after: providerView(this.accounts.open(config)),
          },
          trx
        )
      }
      return true
    })
  }
}

function distinct(group: ProviderConfig[]) {
  return new Set(group.map((config) => config.priority)).size === group.length
}
