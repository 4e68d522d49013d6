import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { findTenant } from '#commands/_input'
import { printTenantSettings } from '#commands/_tenant_settings'

export default class TenantsShow extends BaseCommand {
  static commandName = 'tenants:show'
  static description = 'Show a tenant: its status and its settings, as stored and in force'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  @flags.boolean({ description: 'Print one JSON object' })
  declare json: boolean

  async run() {
    const tenant = await findTenant(this, this.tenantId)
    if (tenant) printTenantSettings(this, tenant, this.json)
  }
}
