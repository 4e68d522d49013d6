import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { Logger } from '@adonisjs/core/logger'
import loggerConfig from '#config/logger'
import Message from '#models/message'
import Tenant from '#models/tenant'
import { outboundMessageFrom } from '#messaging/channels/outbound_message'
import { MessageStore } from '#messaging/outbox/message_store'
import { LogGateway } from '#messaging/vendors/log/gateway'
import { CONSOLE_MAIL_TENANT_ID } from '#people/console_mail'
import { PasswordReset } from '#people/password_reset'
import { createConsoleUser } from '#tests/helpers/console_users'
import { acceptMessage } from '#tests/helpers/messages'
import { createKey, createTenant } from '#tests/helpers/tenants'

/**
 * A fresh tenant admin asks for a password reset: the email the console
 * sends them, and the single-use token its link carries (read straight from
 * the row, the one place it may be).
 */
async function resetEmail() {
  const { tenant } = await createTenant('Console mail content')
  const admin = await createConsoleUser('admin', tenant.id)
  const reset = await app.container.make(PasswordReset)
  await reset.request(admin.email)
  const message = await Message.query()
    .where('tenant_id', CONSOLE_MAIL_TENANT_ID)
    .where('recipient', admin.email)
    .where('message_type', 'console.password_reset')
    .firstOrFail()
  const token = /\/console\/password\/reset\/([A-Za-z0-9_-]{43})/.exec(message.content.text!)
  if (!token) throw new Error('no reset link in the email')
  return { message, token: token[1] }
}

/** The log gateway writing to memory, in the app's log format */
function capturingLogGateway() {
  const lines: string[] = []
  const logger = new Logger({
    ...loggerConfig.loggers.app,
    transport: undefined,
    level: 'info',
    desination: { write: (line: string) => lines.push(line) },
  })
  return { gateway: new LogGateway(logger, 0), lines }
}

test.group('The console’s own mail: a reset link is never shown', () => {
  test('an operator’s message page shows the reset email without its content', async ({
    client,
    assert,
  }) => {
    const { message, token } = await resetEmail()
    const operator = await createConsoleUser('operator')

    const response = await client
      .get(`/console/messages/${message.id}`)
      .withGuard('web')
      .loginAs(operator)
    response.assertStatus(200)
    const html = response.text()
    assert.notInclude(html, token)
    assert.notInclude(html, '/console/password/reset/')
    assert.include(html, 'Content hidden: this message carries a single-use sign-in link')
    assert.include(html, 'Reset your Switchboard password')
  })

  test('GET /api/v1/messages/:id of the console’s tenant answers content null and contentHidden; another message keeps its content', async ({
    client,
    assert,
  }) => {
    const { message, token } = await resetEmail()
    const consoleTenant = await Tenant.findOrFail(CONSOLE_MAIL_TENANT_ID)
    const { headers } = await createKey(consoleTenant, { scopes: ['read'] })

    const response = await client.get(`/api/v1/messages/${message.id}`).headers(headers)
    response.assertStatus(200)
    assert.notInclude(response.text(), token)
    const body = response.body()
    assert.isNull(body.content)
    assert.isTrue(body.contentHidden)
    assert.equal(body.messageType, 'console.password_reset')
    assert.equal(body.subject, 'Reset your Switchboard password')
    assert.isArray(body.events)

    const sender = await createTenant('Console mail content: an ordinary sender')
    const ordinary = await acceptMessage(client, sender.headers, {
      channel: 'email',
      recipient: 'ada@example.com',
      subject: 'Your receipt',
      content: { text: 'Thanks for your order' },
    })
    const shown = await client.get(`/api/v1/messages/${ordinary}`).headers(sender.headers)
    shown.assertStatus(200)
    assert.equal(shown.body().content.text, 'Thanks for your order')
    assert.notProperty(shown.body(), 'contentHidden')
  })

  test('the log gateway logs the reset email without its body; another message in full', async ({
    client,
    assert,
  }) => {
    const { message, token } = await resetEmail()
    const sender = await createTenant('Console mail content: logged')
    const ordinary = await acceptMessage(client, sender.headers, {
      channel: 'email',
      recipient: 'grace@example.com',
      subject: 'Your receipt',
      content: { text: 'Thanks for your order' },
    })
    const store = new MessageStore()
    const { gateway, lines } = capturingLogGateway()

    for (const id of [message.id, ordinary]) {
      const claimed = await store.claim(id, 60)
      if (!claimed) throw new Error(`message ${id} could not be claimed`)
      const result = await gateway.send(outboundMessageFrom(claimed))
      assert.isTrue(result.ok)
    }

    assert.lengthOf(lines, 2)
    assert.notInclude(lines[0], token)
    const reset = JSON.parse(lines[0])
    assert.equal(reset.messageId, message.id)
    assert.equal(reset.messageType, 'console.password_reset')
    assert.isTrue(reset.contentHidden)
    assert.notProperty(reset, 'text')
    assert.notProperty(reset, 'html')
    const logged = JSON.parse(lines[1])
    assert.equal(logged.messageId, ordinary)
    assert.equal(logged.text, 'Thanks for your order')
  })
})
