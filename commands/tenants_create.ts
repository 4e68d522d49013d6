import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import db from '@adonisjs/lucid/services/db'
import { API_KEY_SCOPES } from '#messaging/tenants/api_key_scopes'
import { CreateTenant } from '#messaging/tenants/create_tenant'
import { IssueApiKey } from '#messaging/tenants/issue_api_key'
import { operator } from '#commands/_api_key_changes'

export default class TenantsCreate extends BaseCommand {
  static commandName = 'tenants:create'
  static description = 'Create a tenant and issue its first API key (send, read and manage)'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Name of the tenant' })
  declare name: string

  @flags.boolean({ description: 'Print {"tenantId", "apiKey"} as JSON, for scripts' })
  declare json: boolean

  async run() {
    const create = await this.app.container.make(CreateTenant)
    const issue = await this.app.container.make(IssueApiKey)
    const changer = operator()
    // A tenant is never left without its first key
    const { tenant, key } = await db.transaction(async (trx) => {
      const created = await create.handle(this.name, changer.actor, trx)
      const request = { name: 'default', scopes: [...API_KEY_SCOPES] }
      return { tenant: created, key: await issue.handle(created, request, changer, trx) }
    })

    if (this.json) {
      this.logger.log(JSON.stringify({ tenantId: tenant.id, apiKey: key.apiKey }))
      return
    }
    this.logger.success(`Tenant "${tenant.name}" created`)
    this.logger.log(`tenant id: ${tenant.id}`)
    this.logger.log(`api key:   ${key.apiKey}`)
    this.logger.log(this.colors.dim('The key is shown once; only its hash is stored.'))
  }
}
