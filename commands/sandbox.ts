import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

export default class SandboxCommand extends BaseCommand {
  static commandName = 'sandbox'
  static description =
    'Run fake Postal, SES, Twilio and FCM servers locally and route system-default traffic through them'
  static help = [
    'Magic recipients (bounce@…, +15005550001, unregistered-… tokens) are listed in the README.',
    'Stops (and disables its provider configs) on SIGTERM or SIGINT.',
  ]

  static options: CommandOptions = { startApp: true, staysAlive: true }

  @flags.boolean({
    description: 'Do nothing when real providers are configured (used by npm start)',
  })
  declare ifUnconfigured: boolean

  @flags.number({ description: 'Fake servers listen on base+1 … base+4', default: 4100 })
  declare portBase: number

  async run() {
    const { Sandbox } = await import('#sandbox/sandbox')
    const { ProviderAccounts } = await import('#messaging/providers/provider_accounts')
    if (this.ifUnconfigured && (await Sandbox.hasRealProviders())) {
      this.logger.info('Providers are configured: the sandbox is not started')
      await this.app.terminate()
      return
    }

    const sandbox = await new Sandbox(
      await this.app.container.make(ProviderAccounts),
      await this.app.container.make('logger'),
      { appUrl: this.app.config.get<string>('app.appUrl'), portBase: this.portBase }
    ).start()
    this.logger.success('Sandbox providers are running; system-default traffic goes through them')

    this.app.terminating(() => sandbox.stop())
    this.app.listen('SIGINT', () => this.app.terminate())
  }
}
