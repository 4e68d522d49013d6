import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import Tenant from '#models/tenant'
import { tenantSettingsView } from '#messaging/tenants/tenant_settings_view'
import { settingDefaults } from '#commands/_tenant_settings'

export default class TenantsList extends BaseCommand {
  static commandName = 'tenants:list'
  static description = 'List the tenants with their status and the settings in force'
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'Print a JSON array' })
  declare json: boolean

  async run() {
    const defaults = settingDefaults(this)
    const tenants = await Tenant.query().orderBy('created_at')
    const views = tenants.map((tenant) => tenantSettingsView(tenant, defaults))
    if (this.json) {
      this.logger.log(JSON.stringify(views))
      return
    }
    const table = this.ui
      .table()
      .head(['id', 'name', 'status', 'api limit', 'send limit', 'daily', 'monthly', 'weight'])
    for (const view of views) {
      const { effective } = view
      table.row([
        view.tenantId,
        view.name,
        view.status,
        effective.apiRateLimit,
        effective.sendRateLimit,
        effective.dailyQuota,
        effective.monthlyQuota,
        String(effective.weight),
      ])
    }
    table.render()
  }
}
