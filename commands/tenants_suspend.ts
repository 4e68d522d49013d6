import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { operatorActor } from '#messaging/audit/audit_actors'
import { TenantSuspension } from '#messaging/tenants/tenant_suspension'
import { findTenant } from '#commands/_input'

export default class TenantsSuspend extends BaseCommand {
  static commandName = 'tenants:suspend'
  static description =
    'Suspend a tenant: its sends get 403 and its queued messages wait (not sent, not failed) until tenants:resume'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  @flags.string({ description: 'Why, kept with the tenant and in the audit log' })
  declare reason?: string

  async run() {
    if (!(await findTenant(this, this.tenantId))) return
    const reason = this.reason?.trim() || null
    await new TenantSuspension().suspend(this.tenantId, reason, operatorActor())
    this.logger.success(`Tenant ${this.tenantId} suspended`)
  }
}
