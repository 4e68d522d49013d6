import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { SimpleMessagesProvider } from '@vinejs/vine'
import { CHANNELS } from '#enums/channel'
import { GATEWAY_TYPES } from '#enums/gateway_type'
import { validated } from './_input.js'
import { parsedJsonFlag } from './_json_flag.js'
import { SYSTEM_PROVIDER_HELP, renderProviders, requireSystemFlag } from './_system_providers.js'

/** The API's own messages, but naming what is allowed: an operator has no docs open mid-command */
const messagesProvider = new SimpleMessagesProvider({
  'type.enum': `The type must be one of ${GATEWAY_TYPES.join(', ')}`,
  'channel.enum': `The channel must be one of ${CHANNELS.join(', ')}`,
})

/** `postal, ses, … or log`: the provider types, read from the enum the vendor list follows */
const PROVIDER_TYPES = `${GATEWAY_TYPES.slice(0, -1).join(', ')} or ${GATEWAY_TYPES.at(-1)}`

export default class ProvidersAdd extends BaseCommand {
  static commandName = 'providers:add'
  static description =
    'Add a system provider: a gateway account every tenant’s messages may route through'
  static help = [
    `node ace providers:add --system postal --channel email --config '{"baseUrl":"http://postal.internal","apiKey":"…","from":"noreply@example.com"}'`,
    `node ace providers:add --system twilio --channel sms --name "Twilio EU" --priority 10 --config '{…}' --metadata '{"tps":50}'`,
    'The config is checked as POST /api/v1/providers checks it (the README lists each type’s fields) and stored with its credentials encrypted; only its id and masked config are printed.',
    SYSTEM_PROVIDER_HELP,
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: `Provider type: ${PROVIDER_TYPES}` })
  declare type: string

  @flags.boolean({ description: 'A system provider (no tenant): the only kind added here' })
  declare system: boolean

  @flags.string({ description: 'The channel it carries: email, sms, push or webhook' })
  declare channel?: string

  @flags.string({ description: 'The type’s config as a JSON object (credentials included)' })
  declare config?: string

  @flags.string({ description: 'A name to know it by (default: "system <type>")' })
  declare name?: string

  @flags.number({ description: 'Lower is tried first among the system providers (default 0)' })
  declare priority?: number

  @flags.string({
    description: 'Metadata as a JSON object, e.g. {"tps":50} to cap sends per second',
  })
  declare metadata?: string

  async run() {
    if (!requireSystemFlag(this, this.system)) return
    const config = parsedJsonFlag(this, 'config', this.config ?? '{}')
    const metadata =
      this.metadata === undefined
        ? { value: undefined }
        : parsedJsonFlag(this, 'metadata', this.metadata)
    if (!config || !metadata) return

    const { providerConfigValidator } = await import('#messaging/accounts/provider_config_schema')
    const checked = {
      validate: (data: unknown) => providerConfigValidator.validate(data, { messagesProvider }),
    }
    const request = await validated(this, checked, {
      type: this.type,
      channel: this.channel,
      name: this.name ?? `system ${this.type}`,
      priority: this.priority,
      config: config.value,
      metadata: metadata.value,
    })
    if (!request) return

    const { ProviderConfigService } = await import(
      '#messaging/provider_configs/provider_config_service'
    )
    const { operatorActor } = await import('#messaging/audit/audit_actors')
    const service = await this.app.container.make(ProviderConfigService)
    const provider = await service.create(null, request, operatorActor())
    this.logger.success(`System provider ${provider.id} added`)
    renderProviders(this, [provider])
  }
}
