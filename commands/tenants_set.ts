import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { operatorActor } from '#messaging/audit/audit_actors'
import { changeTenantSettings } from '#messaging/tenants/tenant_settings_changes'
import {
  parseSettingChange,
  TenantSettingError,
  type TenantSettingChange,
  type TenantSettingName,
} from '#messaging/tenants/tenant_setting_input'
import { findTenant } from '#commands/_input'
import { printTenantSettings } from '#commands/_tenant_settings'

export default class TenantsSet extends BaseCommand {
  static commandName = 'tenants:set'
  static description =
    'Change the limits, quotas or weight of a tenant (none: unlimited or no quota; default: back to the environment default). Every process applies it within a second'
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  @flags.string({ description: 'API requests, count/seconds (e.g. 20/1), none or default' })
  declare apiRateLimit?: string

  @flags.string({ description: 'Sends, count/seconds (e.g. 100/1), none or default' })
  declare sendRateLimit?: string

  @flags.string({
    description: 'Messages per UTC day: 10 (all channels) or email=1000,sms=500,all=2000, or none',
  })
  declare dailyQuota?: string

  @flags.string({ description: 'Messages per UTC month, written as --daily-quota, or none' })
  declare monthlyQuota?: string

  @flags.string({
    description:
      'Stored for fair lanes (a later issue), no effect yet: the share when lanes serve tenants in turn, 1 to 1000, or default',
  })
  declare weight?: string

  @flags.boolean({ description: 'Print the settings as JSON' })
  declare json: boolean

  async run() {
    const changes = this.changes()
    if (!changes) return
    if (!(await findTenant(this, this.tenantId))) return
    const tenant = await changeTenantSettings(this.tenantId, changes, operatorActor())
    if (tenant) printTenantSettings(this, tenant, this.json)
  }

  /** Every flag given, read; null (logged, exit code 1) when one cannot be or none was given. */
  private changes(): TenantSettingChange[] | null {
    const given = (
      [
        ['apiRateLimit', this.apiRateLimit],
        ['sendRateLimit', this.sendRateLimit],
        ['dailyQuota', this.dailyQuota],
        ['monthlyQuota', this.monthlyQuota],
        ['weight', this.weight],
      ] as Array<[TenantSettingName, string | undefined]>
    ).filter((entry): entry is [TenantSettingName, string] => entry[1] !== undefined)
    if (given.length === 0) {
      return this.refuse(
        'Nothing to change: give --api-rate-limit, --send-rate-limit, --daily-quota, --monthly-quota or --weight'
      )
    }
    try {
      return given.map(([name, text]) => parseSettingChange(name, text))
    } catch (error) {
      if (!(error instanceof TenantSettingError)) throw error
      return this.refuse(error.message)
    }
  }

  private refuse(message: string) {
    this.logger.error(message)
    this.exitCode = 1
    return null
  }
}
