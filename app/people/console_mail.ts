import { inject } from '@adonisjs/core'
import db from '@adonisjs/lucid/services/db'
import Tenant from '#models/tenant'
import { Channel } from '#enums/channel'
import { Priority } from '#enums/priority'
import { SendMessage } from '#messaging/actions/send_message'
import type { Sender } from '#messaging/sender'
import { sendMessageValidator } from '#validators/message'

/**
 * The tenant the console's own mail is sent as. A fixed id, not a name: the
 * row is created on first need with one idempotent INSERT (two processes at
 * once make one tenant), and no tenant an operator names "Switchboard console"
 * can ever be mistaken for it. It sends through the system providers, like
 * any tenant without its own, and operators see its messages like any other.
 */
export const CONSOLE_MAIL_TENANT_ID = '00000000-0000-4000-8000-00000000c0de'
const CONSOLE_MAIL_TENANT_NAME = 'Switchboard console'

export interface ConsoleMail {
  to: string
  /** e.g. `console.password_reset` */
  messageType: string
  subject: string
  text: string
  html: string
  /** Who it is about, e.g. `{ sourceType: 'user', sourceId: '12' }` */
  sourceType: string
  sourceId: string
}

/**
 * Mail from the console to a person (a reset link), sent through Switchboard's
 * own pipeline exactly as the API sends: the same validation and SendMessage,
 * on P0 so no backlog delays it.
 */
@inject()
export class ConsoleMailer {
  constructor(private sendMessage: SendMessage) {}

  async send(mail: ConsoleMail) {
    const request = await sendMessageValidator.validate({
      channel: Channel.Email,
      priority: Priority.P0,
      recipient: mail.to,
      subject: mail.subject,
      content: { text: mail.text, html: mail.html },
      sourceType: mail.sourceType,
      sourceId: mail.sourceId,
    })
    // Its `console.*` type is added after validation: the validator reserves it, refusing it to the API
    const { message } = await this.sendMessage.handle(await consoleSender(), {
      ...request,
      messageType: mail.messageType,
    })
    return message
  }
}

async function consoleSender(): Promise<Sender> {
  await db.rawQuery(
    `INSERT INTO tenants (id, name, status, settings) VALUES (?, ?, 'active', '{}')
     ON CONFLICT (id) DO NOTHING`,
    [CONSOLE_MAIL_TENANT_ID, CONSOLE_MAIL_TENANT_NAME]
  )
  const tenant = await Tenant.findOrFail(CONSOLE_MAIL_TENANT_ID)
  return { tenantId: tenant.id, settings: tenant.settings, test: false }
}
