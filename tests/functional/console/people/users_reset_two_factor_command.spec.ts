import { test } from '@japa/runner'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { runCommand } from '#tests/helpers/commands'
import { auditRowsFor, rawAuditText } from '#tests/helpers/audit'
import { ConsoleAgent, enrolmentSecret, totpCode } from '#tests/helpers/console_agent'

test.group('users:reset-two-factor', () => {
  test('an operator who lost their authenticator: cleared (audited, never the secret), signed out, enrols a new one at the next sign-in', async ({
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    const agent = new ConsoleAgent()
    const lost = await agent.signInEnrolling(operator.email, CONSOLE_TEST_PASSWORD)
    assert.isTrue(await agent.isSignedIn())

    const { command, output } = await runCommand('users:reset-two-factor', [
      `--email=${operator.email.toUpperCase()}`,
    ])
    command.assertSucceeded()
    assert.include(output, `Two-factor sign-in of ${operator.email} cleared`)
    assert.include(output, 'scan the new QR code')
    assert.notInclude(output, lost)

    await operator.refresh()
    assert.isNull(operator.totpSecret)
    assert.isNull(operator.totpEnabledAt)
    assert.isFalse(await agent.isSignedIn())

    const rows = await auditRowsFor('user', String(operator.id))
    assert.deepEqual(
      rows.map((row) => [row.action, row.actor_type]),
      [
        ['user.two_factor_enabled', 'user'],
        ['user.two_factor_reset', 'operator'],
      ]
    )
    assert.notInclude(await rawAuditText(rows), lost)

    // The next sign-in enrols again, with a new secret: the lost app's codes no longer work
    const next = new ConsoleAgent()
    assert.equal(
      await next.passwordLeadsTo(operator.email, CONSOLE_TEST_PASSWORD),
      '/console/two-factor'
    )
    const enrolment = await next.get('/console/two-factor')
    assert.include(enrolment.html, 'Set up two-factor sign-in')
    const fresh = enrolmentSecret(enrolment.html)
    assert.notEqual(fresh, lost)
    const oldCode = await next.post('/console/two-factor', {
      code: totpCode(lost, Date.now() + 30_000),
    })
    assert.equal(oldCode.location, '/console/two-factor')
    assert.isFalse(await next.isSignedIn())
    const enrolled = await next.post('/console/two-factor', { code: totpCode(fresh) })
    assert.equal(enrolled.location, '/console')
    await operator.refresh()
    assert.isNotNull(operator.totpEnabledAt)
  })

  test('a tenant user who had turned it on then signs in with the password alone', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const agent = new ConsoleAgent()
    await agent.signIn(admin.email, CONSOLE_TEST_PASSWORD)
    const secret = await agent.enrolmentSecretOn('/console/account/two-factor')
    await agent.post('/console/account/two-factor', { code: totpCode(secret) })
    await admin.refresh()
    assert.isNotNull(admin.totpEnabledAt)

    const { command, output } = await runCommand('users:reset-two-factor', [
      `--email=${admin.email}`,
    ])
    command.assertSucceeded()
    assert.include(output, 'with their password alone')
    assert.isFalse(await agent.isSignedIn())
    assert.equal(
      await new ConsoleAgent().passwordLeadsTo(admin.email, CONSOLE_TEST_PASSWORD),
      '/console'
    )
  })

  test('refuses an unknown email; someone without two-factor is left as they are', async ({
    assert,
  }) => {
    const unknown = await runCommand('users:reset-two-factor', ['--email=nobody@console.test'])
    assert.equal(unknown.command.exitCode, 1)
    assert.include(unknown.output, 'No console user with the email nobody@console.test')

    const { tenant } = await createTenant()
    const viewer = await createConsoleUser('viewer', tenant.id)
    const agent = new ConsoleAgent()
    await agent.signIn(viewer.email, CONSOLE_TEST_PASSWORD)
    const { command, output } = await runCommand('users:reset-two-factor', [
      `--email=${viewer.email}`,
    ])
    command.assertSucceeded()
    assert.include(output, 'has no two-factor sign-in: nothing to reset')
    assert.isTrue(await agent.isSignedIn())
    assert.lengthOf(await auditRowsFor('user', String(viewer.id)), 0)
  })
})
