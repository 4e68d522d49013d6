import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import UserToken from '#models/user_token'
import User from '#models/user'
import { InviteUser } from '#people/invite_user'
import { operatorActor } from '#messaging/audit/audit_actors'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { ConsoleAgent, noticeOf } from '#tests/helpers/console_agent'

test.group('Console invites: opened while signed in', () => {
  test('the invite page says who is signed in and offers to sign out; signing out there leads back to the invite', async ({
    assert,
  }) => {
    const { tenant } = await createTenant('Signed-in Co')
    const email = `invited-${Date.now()}@console.test`
    const inviteUser = await app.container.make(InviteUser)
    const { url } = await inviteUser.handle(
      { tenantId: tenant.id, email, role: 'viewer' },
      operatorActor()
    )
    const path = new URL(url).pathname
    const token = path.split('/').pop()!

    const someoneElse = await createConsoleUser('admin', tenant.id)
    const agent = new ConsoleAgent()
    await agent.signIn(someoneElse.email, CONSOLE_TEST_PASSWORD)

    const page = await agent.get(path)
    assert.equal(page.status, 200)
    assert.include(page.html, `You are signed in as <strong>${someoneElse.email}</strong>`)
    assert.include(page.html, `<strong>${email}</strong>`)
    assert.notInclude(page.html, 'name="password"')
    assert.match(page.html, /<form method="POST" action="\/console\/logout"/)
    assert.include(page.html, `name="invite" value="${token}"`)

    // Accepting while signed in makes no account: back to the page that explains
    const accepted = await agent.post(path, {
      fullName: 'Someone Else',
      password: 'a password long enough',
      password_confirmation: 'a password long enough',
    })
    assert.equal(accepted.location, path)
    assert.isNull(await User.findBy('email', email))
    const invite = await UserToken.findByOrFail('email', email)
    assert.isNull(invite.usedAt)

    const signedOut = await agent.post('/console/logout', { invite: token })
    assert.equal(signedOut.location, path)
    const invitePage = await agent.follow(signedOut)
    assert.equal(noticeOf(invitePage.html), 'You are signed out.')
    assert.include(invitePage.html, 'name="password"')
    assert.notInclude(invitePage.html, 'You are signed in as')
    assert.isFalse(await agent.isSignedIn())
  })

  test('signing out elsewhere still leads to the sign-in page; a made-up invite value changes nothing', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const viewer = await createConsoleUser('viewer', tenant.id)
    for (const invite of [undefined, '../../evil.example', 'x'.repeat(43)]) {
      const agent = new ConsoleAgent()
      await agent.signIn(viewer.email, CONSOLE_TEST_PASSWORD)
      await agent.get('/console/account')
      const out = await agent.post('/console/logout', invite === undefined ? {} : { invite })
      // A well-formed token leads to its page (which says if it does not work); anything else to sign-in
      assert.equal(
        out.location,
        invite?.length === 43 ? `/console/invites/${invite}` : '/console/login',
        String(invite)
      )
      assert.isFalse(await agent.isSignedIn())
    }
  })
})
