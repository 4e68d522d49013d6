import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { findTenant } from './_input.js'

export default class CommsProvidersTest extends BaseCommand {
  static commandName = 'comms:providers:test'
  /** The name beside providers:add, providers:list and providers:remove */
  static aliases = ['providers:test']
  static description =
    'Test the connection of provider configs (as POST /api/v1/providers/:id/test does); no message is sent'
  static help = [
    'node ace comms:providers:test                 every config, the system defaults first',
    'node ace comms:providers:test --tenant=<id>   one tenant’s own configs',
    'node ace comms:providers:test <config id>     one config (also: node ace providers:test <id>)',
    'Exits 1 when a check fails. Credentials are never printed.',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Provider config id', required: false })
  declare id?: string

  @flags.string({ description: 'Only this tenant’s own configs' })
  declare tenant?: string

  async run() {
    if (this.tenant !== undefined && !(await findTenant(this, this.tenant))) return

    const { ProviderConfigService } = await import(
      '#messaging/provider_configs/provider_config_service'
    )
    const service = await this.app.container.make(ProviderConfigService)
    const spinner = this.logger.await('testing provider configs').start()
    const results = await service
      .testEach({ tenantId: this.tenant, id: this.id }, (done, total) =>
        spinner.update(`testing provider configs: ${done}/${total}`)
      )
      .finally(() => spinner.stop())

    if (results.length === 0) {
      this.logger.error(this.id ? `No provider config ${this.id}` : 'No provider configs')
      this.exitCode = 1
      return
    }
    const table = this.ui
      .table()
      .head(['config', 'name', 'owner', 'type', 'channel', 'enabled', 'ok', 'detail'])
    for (const result of results) {
      table.row([
        result.id,
        result.name,
        result.tenantId ?? 'system',
        result.type,
        result.channel,
        result.enabled ? 'yes' : 'no',
        result.ok ? this.colors.green('ok') : this.colors.red('failed'),
        result.detail,
      ])
    }
    table.render()

    const failed = results.filter((result) => !result.ok).length
    if (failed > 0) {
      this.logger.error(`${failed} of ${results.length} checks failed`)
      this.exitCode = 1
    } else {
      this.logger.success(`${results.length} configs ok`)
    }
  }
}
