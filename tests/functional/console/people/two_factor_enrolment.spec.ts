import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import User from '#models/user'
import { TwoFactor } from '#people/two_factor'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { ConsoleAgent, enrolmentSecret, totpCode } from '#tests/helpers/console_agent'

/** What the user's row says about two-factor */
async function storedTwoFactor(id: number) {
  const user = await User.findOrFail(id)
  return { secret: user.totpSecret, enabledAt: user.totpEnabledAt }
}

/** Opens an enrolment page twice (a reload): the key it shows each time */
async function keysShownOn(agent: ConsoleAgent, path: string) {
  const first = await agent.get(path)
  const again = await agent.get(path)
  return [enrolmentSecret(first.html), enrolmentSecret(again.html)]
}

test.group('Console two-factor enrolment: nothing stored until a code confirms it', () => {
  test('at first sign-in: the enrolment page writes nothing and shows the same key on a reload; the right code stores it', async ({
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    const agent = new ConsoleAgent()
    await agent.signIn(operator.email, CONSOLE_TEST_PASSWORD)

    const [secret, reloaded] = await keysShownOn(agent, '/console/two-factor')
    assert.equal(reloaded, secret)
    assert.deepEqual(await storedTwoFactor(operator.id), { secret: null, enabledAt: null })
    // Another browser's enrolment is its own
    const elsewhere = new ConsoleAgent()
    await elsewhere.signIn(operator.email, CONSOLE_TEST_PASSWORD)
    const [otherSecret] = await keysShownOn(elsewhere, '/console/two-factor')
    assert.notEqual(otherSecret, secret)

    const done = await agent.post('/console/two-factor', { code: totpCode(secret) })
    assert.equal(done.location, '/console')
    const stored = await User.findOrFail(operator.id)
    assert.isNotNull(stored.totpEnabledAt)
    assert.match(stored.totpSecret!, /^v2\./)
    assert.notInclude(stored.totpSecret!, secret)
    const twoFactor = await app.container.make(TwoFactor)
    assert.isTrue(await twoFactor.verify(stored, totpCode(secret, Date.now() + 30_000)))
    // The other browser's key was never stored: its code does not open the account
    const other = await elsewhere.post('/console/two-factor', { code: totpCode(otherSecret) })
    assert.equal(other.location, '/console/two-factor')
    assert.isFalse(await elsewhere.isSignedIn())
  })

  test('from the account page: opening it writes nothing, a reload shows the same key, a wrong code stores nothing, the right one turns it on', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const agent = new ConsoleAgent()
    await agent.signIn(admin.email, CONSOLE_TEST_PASSWORD)

    const [secret, reloaded] = await keysShownOn(agent, '/console/account/two-factor')
    assert.equal(reloaded, secret)
    assert.deepEqual(await storedTwoFactor(admin.id), { secret: null, enabledAt: null })

    const wrongCode = totpCode(secret) === '000000' ? '111111' : '000000'
    const wrong = await agent.post('/console/account/two-factor', { code: wrongCode })
    assert.equal(wrong.location, '/console/account/two-factor')
    assert.deepEqual(await storedTwoFactor(admin.id), { secret: null, enabledAt: null })
    const [stillShown] = await keysShownOn(agent, '/console/account/two-factor')
    assert.equal(stillShown, secret)

    const on = await agent.post('/console/account/two-factor', { code: totpCode(secret) })
    assert.equal(on.location, '/console/account')
    const stored = await storedTwoFactor(admin.id)
    assert.isNotNull(stored.enabledAt)
    assert.isNotNull(stored.secret)
    // On: the enrolment page is not shown again
    const page = await agent.get('/console/account/two-factor')
    assert.equal(page.location, '/console/account')
  })
})
