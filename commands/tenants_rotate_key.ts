import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { RotateApiKey } from '#messaging/tenants/rotate_api_key'
import { rotateApiKeyValidator } from '#validators/api_key'
import { findTenant, validated } from '#commands/_input'
import { keyChange, operator } from '#commands/_api_key_changes'

export default class TenantsRotateKey extends BaseCommand {
  static commandName = 'tenants:rotate-key'
  static description =
    'Replace an API key with a new one (same name, scopes, kind); the old one stops now or after --grace-seconds'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  @args.string({ description: 'Key id (see tenants:keys)' })
  declare keyId: string

  @flags.number({ description: 'Seconds the old key keeps working (0 to 604800; default 0)' })
  declare graceSeconds?: number

  @flags.boolean({ description: 'Print the new key (with "apiKey" and "replaced") as JSON' })
  declare json: boolean

  async run() {
    const tenant = await findTenant(this, this.tenantId)
    if (!tenant) return
    const options = await validated(this, rotateApiKeyValidator, {
      graceSeconds: this.graceSeconds,
    })
    if (!options) return

    const rotate = await this.app.container.make(RotateApiKey)
    const key = await keyChange(this, this.keyId, () =>
      rotate.handle(tenant, this.keyId, options.graceSeconds ?? 0, operator())
    )
    if (!key) return
    if (this.json) {
      this.logger.log(JSON.stringify({ tenantId: tenant.id, ...key }))
      return
    }
    this.logger.success(`Key ${key.replaced.id} rotated: the new key is ${key.id}`)
    this.logger.log(`api key: ${key.apiKey}`)
    this.logger.log(`key ${key.replaced.id} stops working at ${key.replaced.expiresAt}`)
    this.logger.log(this.colors.dim('The key is shown once; only its hash is stored.'))
  }
}
