import type { BaseCommand } from '@adonisjs/core/ace'
import type { providerView } from '#messaging/accounts/provider_view'

type ProviderView = ReturnType<typeof providerView>

/** What every providers:* command says about system providers */
export const SYSTEM_PROVIDER_HELP =
  'A system provider belongs to no tenant: every tenant’s messages on its channel may route through it, after the tenant’s own providers. Its addresses are trusted: the egress policy that keeps tenants off internal and private addresses (EGRESS_ALLOW) does not apply to it, so this is how an operator points Switchboard at an internal gateway tenants may not name.'

/**
 * Only system providers are managed here: tenants manage their own through
 * the API. --system says so on the command line, so no one takes
 * `providers:add postal …` for a tenant's.
 */
export function requireSystemFlag(command: BaseCommand, system: boolean) {
  if (system) return true
  command.logger.error(
    'Only system providers are managed here: add --system (tenants manage their own with /api/v1/providers)'
  )
  command.exitCode = 1
  return false
}

/** Providers as the API shows them: the config's secrets masked */
export function renderProviders(command: BaseCommand, providers: ProviderView[]) {
  const table = command.ui
    .table()
    .head(['id', 'name', 'type', 'channel', 'priority', 'enabled', 'config', 'metadata'])
  for (const provider of providers) {
    table.row([
      provider.id,
      provider.name,
      provider.type,
      provider.channel,
      String(provider.priority),
      provider.enabled ? 'yes' : 'no',
      JSON.stringify(provider.config),
      JSON.stringify(provider.metadata),
    ])
  }
  table.render()
}
