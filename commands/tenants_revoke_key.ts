import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import Tenant from '#models/tenant'

export default class TenantsRevokeKey extends BaseCommand {
  static commandName = 'tenants:revoke-key'
  static description = 'Revoke one API key of a tenant'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  @args.string({ description: 'Key id (see tenants:keys)' })
  declare keyId: string

  async run() {
    const tenant = await Tenant.find(this.tenantId)
    const deleted = tenant ? await Tenant.apiKeys.delete(tenant, this.keyId) : 0
    if (!deleted) {
      this.logger.error(`No key ${this.keyId} for tenant ${this.tenantId}`)
      this.exitCode = 1
      return
    }
    this.logger.success(`Key ${this.keyId} revoked`)
  }
}
