import { BaseCommand, args } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { findTenant } from './_input.js'

export default class RecipientsErase extends BaseCommand {
  static commandName = 'recipients:erase'
  static description =
    'Erase a recipient from a tenant’s records (a data-protection request); the address stays suppressed by hash'
  static help = [
    'node ace recipients:erase <tenantId> ada@example.com',
    'Messages, events, conversations, webhook attempts, audit entries and archive files keep their ids',
    'and counts; the address and content become a tombstone. Messages not yet sent are canceled.',
  ]
  static options: CommandOptions = { startApp: true }

  @args.string({ description: 'Tenant id' })
  declare tenantId: string

  @args.string({ description: 'Email address, phone number (E.164) or push token' })
  declare address: string

  async run() {
    if (!(await findTenant(this, this.tenantId))) return
    const { EraseRecipient } = await import('#messaging/erasure/erase_recipient')
    const { ErasureAddressException } = await import('#exceptions/erasure_exceptions')
    const { operatorActor } = await import('#messaging/audit/audit_actors')
    try {
      const erase = await this.app.container.make(EraseRecipient)
      const { erasureId, counts } = await erase.run(this.tenantId, this.address, operatorActor())
      const table = this.ui.table().head(['erased', 'count'])
      for (const [what, count] of Object.entries(counts)) table.row([what, String(count)])
      table.render()
      this.logger.success(`erasure ${erasureId} done`)
    } catch (error) {
      if (!(error instanceof ErasureAddressException)) throw error
      this.logger.error(error.message)
      this.exitCode = 1
    }
  }
}
