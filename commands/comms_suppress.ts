import { BaseCommand, args, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type Suppression from '#models/suppression'
import { findTenant, validated } from './_input.js'

const ACTIONS = ['add', 'remove', 'list'] as const

export default class CommsSuppress extends BaseCommand {
  static commandName = 'comms:suppress'
  static description =
    'Add, remove or list suppression entries: a tenant’s with --tenant, global ones without'
  static help = [
    'node ace comms:suppress add --channel=email --recipient=ada@example.com --reason=complaint',
    'node ace comms:suppress add --tenant=<id> --channel=sms --recipient=+14155550100 --expires-at=2030-01-01T00:00:00Z',
    'node ace comms:suppress remove --channel=email --recipient=ada@example.com',
    'node ace comms:suppress list --tenant=<id> --search=example.com --limit=20',
    'Global entries apply to every tenant. list without --tenant shows every entry.',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'add, remove or list' })
  declare action: string

  @flags.string({ description: 'Tenant id (add/remove: global scope when not given)' })
  declare tenant?: string

  @flags.string({ description: 'email, sms, push or webhook' })
  declare channel?: string

  @flags.string({ description: 'The address, phone number, token or URL' })
  declare recipient?: string

  @flags.string({
    description: 'hard_bounce, complaint, soft_bounce, unsubscribe, manual, invalid',
  })
  declare reason?: string

  @flags.string({ description: 'When the entry lapses (ISO 8601); never when not given' })
  declare expiresAt?: string

  @flags.string({ description: 'list: part of the recipient, any case' })
  declare search?: string

  @flags.number({ description: 'list: how many entries to show (1-100)', default: 50 })
  declare limit: number

  async run() {
    if (!ACTIONS.includes(this.action as (typeof ACTIONS)[number])) {
      this.logger.error(`Unknown action "${this.action}": use ${ACTIONS.join(', ')}`)
      this.exitCode = 1
      return
    }
    if (this.tenant !== undefined && !(await findTenant(this, this.tenant))) return

    const { SuppressionService } = await import('#messaging/suppression/suppression_service')
    const service = await this.app.container.make(SuppressionService)
    const validators = await import('#validators/suppression')
    const { operatorActor } = await import('#messaging/audit/audit_actors')
    const tenantId = this.tenant ?? null

    if (this.action === 'add') {
      const entry = await validated(this, validators.createSuppressionValidator, {
        channel: this.channel,
        recipient: this.recipient,
        reason: this.reason,
        expiresAt: this.expiresAt,
      })
      if (!entry) return
      const { suppression, created } = await service.add(
        { ...entry, tenantId, source: 'operator' },
        operatorActor()
      )
      if (created) this.logger.success(`${suppression.recipient} suppressed (${suppression.scope})`)
      else this.logger.info(`${suppression.recipient} was already suppressed; entry unchanged`)
      this.render([suppression])
      return
    }

    if (this.action === 'remove') {
      const target = await validated(this, validators.removeSuppressionValidator, {
        channel: this.channel,
        recipient: this.recipient,
      })
      if (!target) return
      const removed = await service.removeRecipient(
        tenantId,
        target.channel,
        target.recipient,
        operatorActor()
      )
      const scope = tenantId ? `tenant ${tenantId}` : 'global scope'
      if (!removed) {
        this.logger.error(`No ${target.channel} entry for ${target.recipient} in the ${scope}`)
        this.exitCode = 1
        return
      }
      this.logger.success(`${target.recipient} removed from the ${scope}`)
      return
    }

    const filters = await validated(this, validators.listSuppressionsValidator, {
      search: this.search,
      channel: this.channel,
      reason: this.reason,
      perPage: this.limit,
    })
    if (!filters) return
    const page = await service.list(tenantId ? { tenantId } : 'everyone', filters)
    this.render(page.all())
    this.logger.info(`${page.all().length} of ${page.total} entries shown`)
  }

  private render(entries: Suppression[]) {
    const table = this.ui
      .table()
      .head(['id', 'scope', 'channel', 'recipient', 'reason', 'expires', 'source', 'created'])
    for (const entry of entries) {
      table.row([
        String(entry.id),
        entry.tenantId ?? 'global',
        entry.channel,
        entry.recipient,
        entry.reason,
        entry.expiresAt?.toISO() ?? 'never',
        entry.source ?? '-',
        entry.createdAt.toISO() ?? '-',
      ])
    }
    table.render()
  }
}
