import { test } from '@japa/runner'
import User from '#models/user'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { auditRowsFor, rawAuditText } from '#tests/helpers/audit'
import { ConsoleAgent, enrolmentSecret, totpCode } from '#tests/helpers/console_agent'

/** A code of the same length that is not the right one now (nor a step either side) */
function wrongCode(secret: string) {
  const near = [-30_000, 0, 30_000].map((shift) => totpCode(secret, Date.now() + shift))
  let candidate = 0
  while (near.includes(String(candidate).padStart(6, '0'))) candidate++
  return String(candidate).padStart(6, '0')
}

/** An operator who enrolled: their agent is signed in, and the secret their app holds */
async function enrolledOperator() {
  const operator = await createConsoleUser('operator')
  const agent = new ConsoleAgent()
  await agent.signIn(operator.email, CONSOLE_TEST_PASSWORD)
  const secret = await agent.enrolmentSecretOn('/console/two-factor')
  const done = await agent.post('/console/two-factor', { code: totpCode(secret) })
  if (done.location !== '/console') throw new Error(`enrolment failed: ${done.status}`)
  return { operator, agent, secret }
}

test.group('Console sign-in: two-factor', () => {
  test('an operator is not signed in by the password alone: they enrol on first sign-in, and a right code signs them in', async ({
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    const agent = new ConsoleAgent()

    const afterPassword = await agent.signIn(operator.email, CONSOLE_TEST_PASSWORD)
    assert.equal(afterPassword.location, '/console/two-factor')
    assert.isFalse(await agent.isSignedIn())

    const enrolment = await agent.get('/console/two-factor')
    assert.equal(enrolment.status, 200)
    assert.include(enrolment.html, 'Set up two-factor sign-in')
    assert.match(enrolment.html, /<div class="qr"><svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/)
    const secret = enrolmentSecret(enrolment.html)
    // Nothing stored until a right code
    const stored = await User.findOrFail(operator.id)
    assert.isNull(stored.totpSecret)
    assert.isNull(stored.totpEnabledAt)

    const wrong = await agent.post('/console/two-factor', { code: wrongCode(secret) })
    assert.equal(wrong.location, '/console/two-factor')
    assert.include(await agent.noticeAfter(wrong), 'That code is not valid')
    assert.isFalse(await agent.isSignedIn())

    const right = await agent.post('/console/two-factor', { code: totpCode(secret) })
    assert.equal(right.location, '/console')
    assert.isTrue(await agent.isSignedIn())
    await stored.refresh()
    assert.isNotNull(stored.totpEnabledAt)
    assert.isNotNull(stored.lastSignInAt)
    // Sealed at rest, never the key itself
    assert.match(stored.totpSecret!, /^v2\./)
    assert.notInclude(stored.totpSecret!, secret)

    const audit = await auditRowsFor('user', String(operator.id))
    assert.deepEqual(
      audit.map((row) => [row.action, row.actor_type, row.actor_id]),
      [['user.two_factor_enabled', 'user', String(operator.id)]]
    )
    assert.notInclude(await rawAuditText(audit), secret)
  })

  test('the next sign-in asks only for the code; a code already used is refused, a new one passes', async ({
    assert,
  }) => {
    const { operator, agent: first, secret } = await enrolledOperator()
    const used = totpCode(secret)
    await first.post('/console/logout')

    const agent = new ConsoleAgent()
    assert.equal(
      await agent.passwordLeadsTo(operator.email, CONSOLE_TEST_PASSWORD),
      '/console/two-factor'
    )
    const codePage = await agent.get('/console/two-factor')
    assert.include(codePage.html, 'name="code"')
    assert.notInclude(codePage.html, 'totp-secret')
    assert.notInclude(codePage.html, '<svg')

    const replayed = await agent.post('/console/two-factor', { code: used })
    assert.equal(replayed.location, '/console/two-factor')
    assert.isFalse(await agent.isSignedIn())

    // The app's next code (one step ahead is within the window)
    const next = await agent.post('/console/two-factor', {
      code: totpCode(secret, Date.now() + 30_000),
    })
    assert.equal(next.location, '/console')
    assert.isTrue(await agent.isSignedIn())
  })

  test('wrong codes count towards the lock-out; the code page without a password step sends back to sign in', async ({
    assert,
  }) => {
    const { operator, secret } = await enrolledOperator()
    const agent = new ConsoleAgent()
    await agent.signIn(operator.email, CONSOLE_TEST_PASSWORD)
    for (let attempt = 0; attempt < 5; attempt++) {
      await agent.post('/console/two-factor', { code: wrongCode(secret) })
    }
    const locked = await agent.post('/console/two-factor', {
      code: totpCode(secret, Date.now() + 30_000),
    })
    assert.include(
      await agent.noticeAfter(locked),
      'Too many failed attempts. Try again in 15 minutes.'
    )
    assert.isFalse(await agent.isSignedIn())

    const stranger = new ConsoleAgent()
    const page = await stranger.get('/console/two-factor')
    assert.equal(page.location, '/console/login')
  })

  test('a tenant admin turns two-factor on from the account page; it is then asked at sign-in; off again with the password', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const agent = new ConsoleAgent()
    await agent.signIn(admin.email, CONSOLE_TEST_PASSWORD)

    const account = await agent.get('/console/account')
    assert.include(account.html, 'Turn on two-factor sign-in')
    const secret = await agent.enrolmentSecretOn('/console/account/two-factor')
    const wrong = await agent.post('/console/account/two-factor', { code: wrongCode(secret) })
    assert.include(await agent.noticeAfter(wrong), 'That code is not valid')
    const on = await agent.post('/console/account/two-factor', { code: totpCode(secret) })
    assert.equal(on.location, '/console/account')
    assert.include(await agent.noticeAfter(on), 'Two-factor sign-in is on')

    const later = new ConsoleAgent()
    assert.equal(
      await later.passwordLeadsTo(admin.email, CONSOLE_TEST_PASSWORD),
      '/console/two-factor'
    )
    const signedIn = await later.post('/console/two-factor', {
      code: totpCode(secret, Date.now() + 30_000),
    })
    assert.equal(signedIn.location, '/console')

    await later.get('/console/account')
    const badPassword = await later.post('/console/account/two-factor?_method=DELETE', {
      currentPassword: 'not my password',
    })
    assert.equal(badPassword.location, '/console/account')
    const withError = await later.follow(badPassword)
    assert.include(withError.html, 'This is not your current password')
    await admin.refresh()
    assert.isNotNull(admin.totpEnabledAt)

    const off = await later.post('/console/account/two-factor?_method=DELETE', {
      currentPassword: CONSOLE_TEST_PASSWORD,
    })
    assert.include(await later.noticeAfter(off), 'Two-factor sign-in is off')
    await admin.refresh()
    assert.isNull(admin.totpEnabledAt)
    assert.isNull(admin.totpSecret)
    assert.equal(
      await new ConsoleAgent().passwordLeadsTo(admin.email, CONSOLE_TEST_PASSWORD),
      '/console'
    )
    const rows = await auditRowsFor('user', String(admin.id))
    assert.deepEqual(
      rows.map((row) => row.action),
      ['user.two_factor_enabled', 'user.two_factor_disabled']
    )
  })

  test('an operator cannot turn two-factor off', async ({ assert }) => {
    const { operator, agent } = await enrolledOperator()
    const account = await agent.get('/console/account')
    assert.include(account.html, 'Operators must keep it on.')
    const refused = await agent.post('/console/account/two-factor?_method=DELETE', {
      currentPassword: CONSOLE_TEST_PASSWORD,
    })
    assert.include(await agent.noticeAfter(refused), 'Operators must keep two-factor sign-in on')
    await operator.refresh()
    assert.isNotNull(operator.totpEnabledAt)
  })
})
