import { test } from '@japa/runner'
import User from '#models/user'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { ConsoleAgent, noticeOf } from '#tests/helpers/console_agent'

const GENERIC = 'The email or password is incorrect.'

/** A fresh browser signs in with the test password (no two-factor) */
async function signsIn(email: string) {
  const page = await new ConsoleAgent().signIn(email, CONSOLE_TEST_PASSWORD)
  return page.location === '/console'
}

test.group('Console sign-in: password', () => {
  test('the login page is server-rendered HTML with a CSRF-protected form', async ({ assert }) => {
    const agent = new ConsoleAgent()
    const page = await agent.get('/console/login')
    assert.equal(page.status, 200)
    assert.match(page.html, /<form method="POST" action="\/console\/login"/)
    assert.match(page.html, /name='_csrf' value='[^']+'/)
    assert.match(page.html, /<label for="field-email">Email<\/label>/)
    assert.match(page.html, /<input id="field-email" name="email" type="email"/)
    assert.match(page.html, /<input id="field-password" name="password" type="password"/)
    assert.include(page.html, 'href="/console/password/forgot">Forgot password?</a>')
  })

  test('signed-out console pages answer 302 to /console/login', async ({ assert }) => {
    const agent = new ConsoleAgent()
    for (const path of ['/console', '/console/account', '/console/users']) {
      const page = await agent.get(path)
      assert.equal(page.status, 302, path)
      assert.equal(page.location, '/console/login', path)
    }
  })

  test('a tenant admin without two-factor signs in with the password; sign-out ends the session', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const agent = new ConsoleAgent()

    const signedIn = await agent.signIn(admin.email.toUpperCase(), CONSOLE_TEST_PASSWORD)
    assert.equal(signedIn.status, 302)
    assert.equal(signedIn.location, '/console')
    assert.isTrue(await agent.isSignedIn())
    await admin.refresh()
    assert.isNotNull(admin.lastSignInAt)

    const out = await agent.post('/console/logout')
    assert.equal(out.location, '/console/login')
    assert.include(await agent.noticeAfter(out), 'You are signed out.')
    assert.isFalse(await agent.isSignedIn())
  })

  test('a wrong password and an unknown email get the same answer', async ({ assert }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)

    const answers = []
    for (const email of [admin.email, 'nobody-here@console.test']) {
      const agent = new ConsoleAgent()
      const refused = await agent.signIn(email, 'not the password at all')
      assert.equal(refused.status, 302)
      assert.equal(refused.location, '/console/login')
      const page = await agent.follow(refused)
      answers.push(noticeOf(page.html))
      assert.isFalse(await agent.isSignedIn())
    }
    assert.equal(answers[0], GENERIC)
    assert.deepEqual(answers[1], answers[0])
  })

  test('5 failures lock the email for 15 minutes, whatever address they come from; the right password is refused meanwhile', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    for (let attempt = 0; attempt < 5; attempt++) {
      // A new client address each time: forged X-Forwarded-For does not dodge the lock
      const refused = await new ConsoleAgent().signIn(admin.email, `wrong ${attempt}`)
      assert.equal(refused.location, '/console/login')
    }

    const agent = new ConsoleAgent()
    const locked = await agent.signIn(admin.email, CONSOLE_TEST_PASSWORD)
    assert.equal(locked.location, '/console/login')
    assert.equal(
      await agent.noticeAfter(locked),
      'Too many failed attempts. Try again in 15 minutes.'
    )
    assert.isFalse(await agent.isSignedIn())
    // Another account is not locked by it
    const other = await createConsoleUser('viewer', tenant.id)
    const otherSignIn = await agent.signIn(other.email, CONSOLE_TEST_PASSWORD)
    assert.equal(otherSignIn.location, '/console')
  })

  test('a right password clears the failures counted before it', async ({ assert }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    for (let attempt = 0; attempt < 4; attempt++) {
      await new ConsoleAgent().signIn(admin.email, `wrong ${attempt}`)
    }
    assert.isTrue(await signsIn(admin.email))
    for (let attempt = 0; attempt < 4; attempt++) {
      await new ConsoleAgent().signIn(admin.email, `wrong again ${attempt}`)
    }
    assert.isTrue(await signsIn(admin.email))
  })

  test('a POST without a valid CSRF token answers 403 and signs nobody in', async ({ assert }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const agent = new ConsoleAgent()
    await agent.get('/console/login')

    const fields = { email: admin.email, password: CONSOLE_TEST_PASSWORD }
    const without = await agent.post('/console/login', fields, { csrf: false })
    assert.equal(without.status, 403)
    assert.include(without.html, 'Form expired')
    const forged = await agent.post(
      '/console/login',
      { ...fields, _csrf: 'forged-token' },
      { csrf: false }
    )
    assert.equal(forged.status, 403)
    assert.isFalse(await agent.isSignedIn())
    await admin.refresh()
    assert.isNull(admin.lastSignInAt)
  })

  test('a disabled account cannot sign in, even with the right password', async ({ assert }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    await User.query().where('id', admin.id).update({ disabled_at: new Date() })
    const agent = new ConsoleAgent()
    const refused = await agent.signIn(admin.email, CONSOLE_TEST_PASSWORD)
    assert.equal(refused.location, '/console/login')
    assert.include(await agent.noticeAfter(refused), 'This account has been disabled')
    assert.isFalse(await agent.isSignedIn())
  })
})
