import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { ListApiKeys } from '#messaging/tenants/list_api_keys'
import { findTenant } from '#commands/_input'

export default class TenantsKeys extends BaseCommand {
  static commandName = 'tenants:keys'
  static description =
    'List the API keys of a tenant (scopes, kind, masked, dates; never the secrets)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  @flags.boolean({ description: 'Print {"keys": [...]} as JSON' })
  declare json: boolean

  async run() {
    const tenant = await findTenant(this, this.tenantId)
    if (!tenant) return
    const keys = await new ListApiKeys().handle(tenant)
    if (this.json) {
      this.logger.log(JSON.stringify({ keys }))
      return
    }
    const table = this.ui
      .table()
      .head(['id', 'name', 'scopes', 'kind', 'key', 'created', 'last used', 'expires'])
    for (const key of keys) {
      table.row([
        key.id,
        key.name ?? '',
        key.scopes.join(','),
        key.kind,
        key.masked,
        key.createdAt,
        key.lastUsedAt ?? 'never',
        key.expiresAt ?? 'never',
      ])
    }
    table.render()
  }
}
