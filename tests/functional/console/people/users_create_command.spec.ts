import { test } from '@japa/runner'
import User from '#models/user'
import { createTenant } from '#tests/helpers/tenants'
import { runCommand } from '#tests/helpers/commands'
import { runAce } from '#tests/helpers/ace_process'
import { auditRowsFor } from '#tests/helpers/audit'
import { ConsoleAgent } from '#tests/helpers/console_agent'

const APP_URL = process.env.APP_URL ?? `http://127.0.0.1:${process.env.PORT}`

test.group('users:create', () => {
  test('--operator makes the first operator (audited), who then signs in and is asked to enrol two-factor', async ({
    assert,
  }) => {
    const email = `ops-${Date.now()}@example.com`
    const { command, output } = await runCommand('users:create', [
      '--operator',
      `--email=${email.toUpperCase()}`,
      '--password=operator passphrase',
      '--name=Olga Ops',
    ])
    command.assertSucceeded()
    assert.include(output, `Operator ${email} created`)
    assert.include(output, `Sign in at ${APP_URL}/console/login`)
    assert.include(output, 'authenticator app')
    assert.notInclude(output, 'operator passphrase')

    const user = await User.findByOrFail('email', email)
    assert.equal(user.role, 'operator')
    assert.isNull(user.tenantId)
    assert.equal(user.fullName, 'Olga Ops')
    const [entry] = await auditRowsFor('user', String(user.id))
    assert.equal(entry.action, 'user.created')
    assert.equal(entry.actor_type, 'operator')

    const agent = new ConsoleAgent()
    assert.equal(await agent.passwordLeadsTo(email, 'operator passphrase'), '/console/two-factor')
  })

  test('without --password and no terminal, a password is generated and printed once', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const email = `generated-${Date.now()}@example.com`
    const { exitCode, output } = await runAce([
      'users:create',
      `--tenant=${tenant.id}`,
      '--role=viewer',
      `--email=${email}`,
    ])
    assert.equal(exitCode, 0, output)
    const password = /password: (\S+)/.exec(output)?.[1]
    assert.isString(password)
    assert.isAtLeast(password!.length, 12)
    const user = await User.findByOrFail('email', email)
    assert.equal(user.role, 'viewer')
    assert.equal(user.tenantId, tenant.id)
    assert.equal(await new ConsoleAgent().passwordLeadsTo(email, password!), '/console')
  })

  test('refuses a taken email, a short password, a tenant user without a tenant, an unknown tenant', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const email = `taken-${Date.now()}@example.com`
    const first = await runCommand('users:create', [
      `--tenant=${tenant.id}`,
      `--email=${email}`,
      '--password=long enough password',
    ])
    first.command.assertSucceeded()

    const cases: Array<[string[], string]> = [
      [
        [`--tenant=${tenant.id}`, `--email=${email}`, '--password=long enough password'],
        'already has an account',
      ],
      [['--operator', `--email=short-${email}`, '--password=short'], 'at least 12 characters'],
      [[`--email=notenant-${email}`, '--password=long enough password'], '--tenant'],
      [
        [
          '--tenant=7f0c1f8e-0000-4000-8000-000000000000',
          `--email=x-${email}`,
          '--password=long enough password',
        ],
        'No tenant',
      ],
      [
        [
          '--operator',
          `--tenant=${tenant.id}`,
          `--email=y-${email}`,
          '--password=long enough password',
        ],
        'drop --tenant',
      ],
    ]
    for (const [argv, message] of cases) {
      const { command, output } = await runCommand('users:create', argv)
      assert.equal(command.exitCode, 1, argv.join(' '))
      assert.include(output, message)
    }
    assert.lengthOf(await User.query().where('email', 'like', `%${email}`), 1)
  })
})
