import { test } from '@japa/runner'
import UserToken from '#models/user_token'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { ConsoleAgent } from '#tests/helpers/console_agent'

const INVITE_URL =
  /class="secret-once" id="invite-url">[^<]*\/console\/invites\/([A-Za-z0-9_-]{43})</

test.group('Console invites: the answer to the invite form', () => {
  test('redirects to the users page, which shows the new link once; a reload neither shows it nor invites again', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const agent = new ConsoleAgent()
    await agent.signIn(admin.email, CONSOLE_TEST_PASSWORD)
    const email = `once-${Date.now()}@console.test`

    const created = await agent.submit('/console/users', '/console/users/invites', {
      email,
      role: 'viewer',
    })
    assert.equal(created.status, 302)
    assert.equal(created.location, '/console/users')
    const page = await agent.follow(created)
    const shown = INVITE_URL.exec(page.html)
    assert.isNotNull(shown)

    const reloaded = await agent.get('/console/users')
    assert.equal(reloaded.status, 200)
    assert.include(reloaded.html, email)
    assert.notInclude(reloaded.html, shown![1])
    assert.notMatch(reloaded.html, INVITE_URL)
    assert.lengthOf(await UserToken.query().where('email', email), 1)

    // A refused invite after it goes back to the users page, beside its field
    const refused = await agent.post('/console/users/invites', {
      email: admin.email,
      role: 'viewer',
    })
    assert.equal(refused.location, '/console/users')
    assert.include(await agent.htmlAfter(refused), 'This email already has an account')
  })
})
