import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { RevokeApiKey } from '#messaging/tenants/revoke_api_key'
import { findTenant } from '#commands/_input'
import { keyChange, operator } from '#commands/_api_key_changes'

export default class TenantsRevokeKey extends BaseCommand {
  static commandName = 'tenants:revoke-key'
  static description = 'Revoke one API key of a tenant: it gets 401 from now on'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  @args.string({ description: 'Key id (see tenants:keys)' })
  declare keyId: string

  async run() {
    const tenant = await findTenant(this, this.tenantId)
    if (!tenant) return
    const revoke = await this.app.container.make(RevokeApiKey)
    const done = await keyChange(this, this.keyId, async () => {
      await revoke.handle(tenant, this.keyId, operator())
      return true
    })
    if (done) this.logger.success(`Key ${this.keyId} revoked`)
  }
}
