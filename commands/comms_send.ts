import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import { findTenant, validated } from './_input.js'

export default class CommsSend extends BaseCommand {
  static commandName = 'comms:send'
  static description = 'Send a test message for a tenant, exactly as POST /api/v1/messages would'
  static help = [
    'node ace comms:send --tenant=<id> --to=ada@example.com --subject=Hello --text="It works"',
    'node ace comms:send --tenant=<id> --channel=sms --to=+14155550100 --text="It works" --priority=P0',
  ]
  static options: CommandOptions = { startApp: true }

  @flags.string({ description: 'Tenant id', required: true })
  declare tenant: string

  @flags.string({ description: 'email, sms, push or webhook', default: 'email' })
  declare channel: string

  @flags.string({
    description: 'Recipient: address, E.164 phone, device token or https URL',
    required: true,
  })
  declare to: string

  @flags.string({ description: 'Subject (email)' })
  declare subject?: string

  @flags.string({ description: 'Text of the message', required: true })
  declare text: string

  @flags.string({ description: 'P0 … P4', default: 'P4' })
  declare priority: string

  async run() {
    const tenant = await findTenant(this, this.tenant)
    if (!tenant) return
    if (tenant.status !== 'active') {
      this.logger.error(`Tenant ${tenant.id} is ${tenant.status}: the API would refuse it too`)
      this.exitCode = 1
      return
    }
    const { sendMessageValidator } = await import('#validators/message')
    const request = await validated(this, sendMessageValidator, {
      channel: this.channel,
      recipient: this.to,
      subject: this.subject,
      priority: this.priority.toUpperCase(),
      sourceType: 'comms:send',
      content: { text: this.text },
    })
    if (!request) return

    const { SendMessage } = await import('#messaging/actions/send_message')
    const { senderOf } = await import('#messaging/sender')
    const sendMessage = await this.app.container.make(SendMessage)
    const { message } = await sendMessage.handle(senderOf(tenant, { kind: 'live' }), request)
    this.ui
      .table()
      .head(['id', 'status', 'channel', 'priority', 'recipient'])
      .row([message.id, message.status, message.channel, message.priority, message.recipient])
      .render()
  }
}
