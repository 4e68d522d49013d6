import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'

export default class SandboxCommand extends BaseCommand {
  static commandName = 'sandbox'
  static description =
    'Run fake Postal, SES, Twilio and FCM servers locally and route system-default traffic through them'
  static help = [
    'Magic recipients (bounce@…, +15005550001, unregistered-… tokens) are listed in the README.',
    'Stops (and disables its provider configs) on SIGTERM or SIGINT.',
    'Refuses to run with NODE_ENV=production. Its keys come from SANDBOX_SECRET (bin/setup makes it).',
  ]

  static options: CommandOptions = { startApp: true, staysAlive: true }

  @flags.boolean({
    description: 'Do nothing when real providers are configured (used by npm start)',
  })
  declare ifUnconfigured: boolean

  @flags.number({ description: 'Fake servers listen on base+1 … base+4', default: 4100 })
  declare portBase: number

  async run() {
    if (this.app.inProduction) {
      // Its fake providers accept anything and its accounts are system-wide: never next to real traffic
      return this.#refuse('The sandbox does not run with NODE_ENV=production')
    }
    const { default: env } = await import('#start/env')
    const { sandboxCredentials, SandboxSecretMissingError } = await import(
      '#sandbox/sandbox_credentials'
    )
    const secret = env.get('SANDBOX_SECRET')
    try {
      sandboxCredentials(secret)
    } catch (error) {
      if (error instanceof SandboxSecretMissingError) return this.#refuse(error.message)
      throw error
    }
    const { Sandbox } = await import('#sandbox/sandbox')
    const { ProviderAccounts } = await import('#messaging/accounts/provider_accounts')
    if (this.ifUnconfigured && (await Sandbox.hasRealProviders())) {
      this.logger.info('Providers are configured: the sandbox is not started')
      await this.app.terminate()
      return
    }

    const sandbox = await new Sandbox(
      await this.app.container.make(ProviderAccounts),
      await this.app.container.make('logger'),
      { appUrl: this.app.config.get<string>('app.appUrl'), portBase: this.portBase, secret }
    ).start()
    this.logger.success('Sandbox providers are running; system-default traffic goes through them')

    this.app.terminating(() => sandbox.stop())
    this.app.listen('SIGINT', () => this.app.terminate())
  }

  /**
   * Ace hands a staying-alive command's exit code to the process only when
   * the app terminates after run() returned; this one ends within run().
   */
  async #refuse(reason: string) {
    this.logger.error(reason)
    this.exitCode = 1
    process.exitCode = 1
    await this.app.terminate()
  }
}
