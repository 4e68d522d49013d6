import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import Tenant from '#models/tenant'
import { API_KEY_SCOPES } from '#messaging/tenants/api_key_scopes'

export default class TenantsCreate extends BaseCommand {
  static commandName = 'tenants:create'
  static description = 'Create a tenant and issue its first API key'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Name of the tenant' })
  declare name: string

  @flags.boolean({ description: 'Print {"tenantId", "apiKey"} as JSON, for scripts' })
  declare json: boolean

  async run() {
    const tenant = await Tenant.create({ name: this.name, status: 'active', settings: {} })
    const token = await Tenant.apiKeys.create(tenant, [...API_KEY_SCOPES], { name: 'default' })
    const apiKey = token.value!.release()

    if (this.json) {
      this.logger.log(JSON.stringify({ tenantId: tenant.id, apiKey }))
      return
    }
    this.logger.success(`Tenant "${tenant.name}" created`)
    this.logger.log(`tenant id: ${tenant.id}`)
    this.logger.log(`api key:   ${apiKey}`)
    this.logger.log(this.colors.dim('The key is shown once; only its hash is stored.'))
  }
}
