import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { findTenant, validated } from './_input.js'

export default class AuditList extends BaseCommand {
  static commandName = 'audit:list'
  static description =
    'Show the audit log, newest first: every tenant’s changes and the operators’ system ones'
  static help = [
    'node ace audit:list',
    'node ace audit:list --tenant=<id> --action=provider.updated --limit=20',
    'node ace audit:list --json',
    'Without --tenant every entry is shown, the system ones (no tenant: system providers, global suppressions) included. Secrets are masked in the stored before/after.',
  ]
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Only this tenant’s entries' })
  declare tenant?: string

  @flags.string({ description: 'Only this action, e.g. provider.created' })
  declare action?: string

  @flags.number({ description: 'How many entries to show (1-100)', default: 50 })
  declare limit: number

  @flags.boolean({ description: 'Print the entries as one JSON array, for scripts' })
  declare json: boolean

  async run() {
    if (this.tenant !== undefined && !(await findTenant(this, this.tenant))) return
    const { listAuditEntriesValidator } = await import('#validators/audit')
    const filters = await validated(this, listAuditEntriesValidator, {
      action: this.action,
      limit: this.limit,
    })
    if (!filters) return

    const { AuditEntries } = await import('#messaging/audit/audit_entries')
    const { entries } = await new AuditEntries().list(
      this.tenant ? { tenantId: this.tenant } : 'everyone',
      filters
    )
    if (this.json) {
      this.logger.log(JSON.stringify(entries))
      return
    }
    const table = this.ui
      .table()
      .head(['id', 'when', 'tenant', 'actor', 'action', 'target', 'before', 'after'])
    for (const entry of entries) {
      table.row([
        entry.id,
        entry.createdAt,
        entry.tenantId ?? 'system',
        `${entry.actor.type}:${entry.actor.id}`,
        entry.action,
        `${entry.target.type}:${entry.target.id ?? '-'}`,
        JSON.stringify(entry.before),
        JSON.stringify(entry.after),
      ])
    }
    table.render()
  }
}
