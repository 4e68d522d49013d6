import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { SYSTEM_PROVIDER_HELP } from './_system_providers.js'

export default class ProvidersRemove extends BaseCommand {
  static commandName = 'providers:remove'
  static description = 'Remove a system provider: no message is routed through it any more'
  static help = [
    'node ace providers:remove <id>',
    'Messages it sent keep their history; its delivery callbacks are refused from then on. A tenant’s own provider is removed with DELETE /api/v1/providers/:id.',
    SYSTEM_PROVIDER_HELP,
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'The system provider’s id (node ace providers:list --system)' })
  declare id: string

  async run() {
    const { ProviderConfigService } = await import(
      '#messaging/provider_configs/provider_config_service'
    )
    const { ProviderNotFoundException } = await import('#exceptions/provider_exceptions')
    const { operatorActor } = await import('#messaging/audit/audit_actors')
    const service = await this.app.container.make(ProviderConfigService)
    try {
      await service.delete(null, this.id, operatorActor())
    } catch (error) {
      if (!(error instanceof ProviderNotFoundException)) throw error
      this.logger.error(`No system provider ${this.id}`)
      this.exitCode = 1
      return
    }
    this.logger.success(`System provider ${this.id} removed`)
  }
}
