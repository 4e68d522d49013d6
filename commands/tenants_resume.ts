import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { operatorActor } from '#messaging/audit/audit_actors'
import { TenantSuspension } from '#messaging/tenants/tenant_suspension'
import { findTenant } from '#commands/_input'

export default class TenantsResume extends BaseCommand {
  static commandName = 'tenants:resume'
  static description = 'Resume a suspended tenant: its waiting messages are sent again at once'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  async run() {
    if (!(await findTenant(this, this.tenantId))) return
    await new TenantSuspension().resume(this.tenantId, operatorActor())
    this.logger.success(`Tenant ${this.tenantId} resumed`)
  }
}
