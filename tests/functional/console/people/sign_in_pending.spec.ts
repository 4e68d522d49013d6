import { test } from '@japa/runner'
import User from '#models/user'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { ConsoleAgent, enrolmentSecret, totpCode } from '#tests/helpers/console_agent'

test.group('Console sign-in: between the password and the code', () => {
  test('an account disabled after its password was accepted gets no further: the code page and a right code send back to sign in', async ({
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    const agent = new ConsoleAgent()
    assert.equal(
      await agent.passwordLeadsTo(operator.email, CONSOLE_TEST_PASSWORD),
      '/console/two-factor'
    )
    const enrolment = await agent.get('/console/two-factor')
    const secret = enrolmentSecret(enrolment.html)

    await User.query().where('id', operator.id).update({ disabled_at: new Date() })
    const page = await agent.get('/console/two-factor')
    assert.equal(page.location, '/console/login')
    const code = await agent.post('/console/two-factor', { code: totpCode(secret) })
    assert.equal(code.location, '/console/login')
    assert.include(await agent.noticeAfter(code), 'Sign in with your email and password first.')
    assert.isFalse(await agent.isSignedIn())
    const stored = await User.findOrFail(operator.id)
    assert.isNull(stored.totpEnabledAt)
    assert.isNull(stored.lastSignInAt)
  })
})
