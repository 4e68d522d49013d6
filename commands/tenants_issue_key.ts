import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import Tenant from '#models/tenant'
import { API_KEY_SCOPES } from '#messaging/tenants/api_key_scopes'

export default class TenantsIssueKey extends BaseCommand {
  static commandName = 'tenants:issue-key'
  static description = 'Issue another API key for a tenant (to rotate keys without downtime)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  @flags.string({ description: 'A name to recognise the key by', default: 'default' })
  declare name: string

  @flags.number({ description: 'Days until the key expires (never, when not given)' })
  declare expiresInDays?: number

  @flags.boolean({ description: 'Print {"tenantId", "keyId", "apiKey"} as JSON' })
  declare json: boolean

  async run() {
    const tenant = await Tenant.find(this.tenantId)
    if (!tenant) {
      this.logger.error(`No tenant ${this.tenantId}`)
      this.exitCode = 1
      return
    }
    const token = await Tenant.apiKeys.create(tenant, [...API_KEY_SCOPES], {
      name: this.name,
      expiresIn: this.expiresInDays ? `${this.expiresInDays} days` : undefined,
    })
    const apiKey = token.value!.release()
    if (this.json) {
      this.logger.log(JSON.stringify({ tenantId: tenant.id, keyId: token.identifier, apiKey }))
      return
    }
    this.logger.success(`Key ${token.identifier} issued for "${tenant.name}"`)
    this.logger.log(`api key: ${apiKey}`)
  }
}
