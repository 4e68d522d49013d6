import type { BaseCommand } from '@adonisjs/core/ace'
import type { MessagingConfig } from '#config/messaging'
import type Tenant from '#models/tenant'
import { tenantSettingsView } from '#messaging/tenants/tenant_settings_view'

/** A tenant's settings as tenants:show and tenants:set print them (`--json`: one JSON object). */
export function printTenantSettings(command: BaseCommand, tenant: Tenant, json: boolean) {
  const view = tenantSettingsView(tenant, settingDefaults(command))
  if (json) {
    command.logger.log(JSON.stringify(view))
    return
  }
  const suspended = view.suspendedAt
    ? `suspended since ${view.suspendedAt}${view.suspensionReason ? ` (${view.suspensionReason})` : ''}`
    : view.status
  command.logger.log(`tenant ${view.tenantId} "${view.name}": ${suspended}`)
  const table = command.ui.table().head(['setting', 'stored', 'in force'])
  for (const [name, inForce] of Object.entries(view.effective)) {
    const stored = view.stored[name as keyof typeof view.stored]
    table.row([name, stored === undefined ? '(default)' : JSON.stringify(stored), String(inForce)])
  }
  table.render()
}

/** TENANT_API_RATE_LIMIT and TENANT_RATE_LIMIT, as the app read them. */
export function settingDefaults(command: BaseCommand) {
  return command.app.config.get<MessagingConfig>('messaging').tenantDefaults
}
