import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import Tenant from '#models/tenant'

export default class TenantsKeys extends BaseCommand {
  static commandName = 'tenants:keys'
  static description = 'List the API keys of a tenant (ids and dates, never the secrets)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  async run() {
    const tenant = await Tenant.find(this.tenantId)
    if (!tenant) {
      this.logger.error(`No tenant ${this.tenantId}`)
      this.exitCode = 1
      return
    }
    const table = this.ui.table().head(['id', 'name', 'created', 'last used', 'expires'])
    for (const key of await Tenant.apiKeys.all(tenant)) {
      table.row([
        String(key.identifier),
        key.name ?? '',
        key.createdAt.toISOString(),
        key.lastUsedAt?.toISOString() ?? 'never',
        key.expiresAt?.toISOString() ?? 'never',
      ])
    }
    table.render()
  }
}
