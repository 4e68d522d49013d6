import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { CONSOLE_MAIL_TENANT_ID } from '#people/console_mail'
import { DeferredWork } from '#people/deferred_work'
import { createTenant } from '#tests/helpers/tenants'
import { createConsoleUser } from '#tests/helpers/console_users'
import { ConsoleAgent } from '#tests/helpers/console_agent'

/** The page a "forgot password" form leads to, and its notice */
async function answerTo(email: string) {
  const agent = new ConsoleAgent()
  const answer = await agent.submit('/console/password/forgot', '/console/password/forgot', {
    email,
  })
  return {
    status: answer.status,
    location: answer.location,
    notice: await agent.noticeAfter(answer),
  }
}

test.group('Console passwords: the answer to "forgot password"', () => {
  test('does not wait for the link to be made and sent: even when sending fails, a real account gets the answer an unknown email gets', async ({
    assert,
    cleanup,
  }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    // The console's own mail tenant over its email quota: the pipeline refuses the reset email
    await db.rawQuery(
      `INSERT INTO tenants (id, name, status, settings) VALUES (?, 'Switchboard console', 'active', '{}')
       ON CONFLICT (id) DO NOTHING`,
      [CONSOLE_MAIL_TENANT_ID]
    )
    const [{ settings }] = await db.from('tenants').where('id', CONSOLE_MAIL_TENANT_ID)
    await db
      .from('tenants')
      .where('id', CONSOLE_MAIL_TENANT_ID)
      .update({ settings: JSON.stringify({ ...settings, dailyQuota: { email: 0 } }) })
    cleanup(async () => {
      await db
        .from('tenants')
        .where('id', CONSOLE_MAIL_TENANT_ID)
        .update({ settings: JSON.stringify(settings) })
    })

    const unknown = 'nobody-asked-for-this@console.test'
    const forReal = await answerTo(admin.email)
    const forNobody = await answerTo(unknown)
    assert.deepEqual(
      { ...forReal, notice: forReal.notice?.replace(admin.email, 'x') },
      { ...forNobody, notice: forNobody.notice?.replace(unknown, 'x') }
    )
    assert.equal(forReal.location, '/console/login')
    assert.include(forReal.notice, 'If an account exists')
    // The work the answer did not wait for ran: a token made, its email refused and logged (the server runs in this process)
    const deferred = await app.container.make(DeferredWork)
    await deferred.drained()
    const tokens = await db.from('user_tokens').where('user_id', admin.id)
    assert.lengthOf(tokens, 1)
  })
})
