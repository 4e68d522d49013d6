import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { SYSTEM_PROVIDER_HELP, renderProviders, requireSystemFlag } from './_system_providers.js'

export default class ProvidersList extends BaseCommand {
  static commandName = 'providers:list'
  static description = 'List the system providers, their credentials masked'
  static help = ['node ace providers:list --system', SYSTEM_PROVIDER_HELP]
  static options: CommandOptions = { startApp: true }

  @flags.boolean({ description: 'The system providers (no tenant): the only ones listed here' })
  declare system: boolean

  async run() {
    if (!requireSystemFlag(this, this.system)) return
    const { ProviderConfigService } = await import(
      '#messaging/provider_configs/provider_config_service'
    )
    const service = await this.app.container.make(ProviderConfigService)
    const providers = await service.list(null)
    if (providers.length === 0) {
      this.logger.info('No system providers')
      return
    }
    renderProviders(this, providers)
  }
}
