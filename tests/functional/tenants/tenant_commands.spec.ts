import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Settings } from 'luxon'
import Tenant from '#models/tenant'
import { createTenant } from '#tests/helpers/tenants'
import { runCommand } from '#tests/helpers/commands'

function auditOf(tenantId: string) {
  return db.from('audit_entries').where('tenant_id', tenantId).orderBy('id')
}

async function showJson(tenantId: string) {
  const { command, logs } = await runCommand('tenants:show', [tenantId, '--json'])
  command.assertSucceeded()
  return JSON.parse(logs.at(-1)!)
}

test.group('tenants:set, show and list', () => {
  test('stores each setting, shows it stored and in force, and audits the change', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const before = tenant.updatedAt
    const { command } = await runCommand('tenants:set', [
      tenant.id,
      '--api-rate-limit=20/1',
      '--send-rate-limit=none',
      '--daily-quota=10',
      '--monthly-quota=email=1000,sms=500,all=2000',
      '--weight=7',
    ])
    command.assertSucceeded()

    const shown = await showJson(tenant.id)
    assert.deepEqual(shown.stored, {
      apiRateLimit: '20/1',
      sendRateLimit: null,
      dailyQuota: { all: 10 },
      monthlyQuota: { email: 1000, sms: 500, all: 2000 },
      weight: 7,
    })
    assert.deepEqual(shown.effective, {
      apiRateLimit: '20/1',
      sendRateLimit: 'none',
      dailyQuota: 'all=10',
      monthlyQuota: 'all=2000,email=1000,sms=500',
      weight: 7,
    })
    const row = await Tenant.findOrFail(tenant.id)
    assert.isTrue(row.updatedAt > before)

    const [entry] = await auditOf(tenant.id)
    assert.equal(entry.action, 'tenant.settings_changed')
    assert.equal(entry.actor_type, 'operator')
    assert.equal(entry.target_id, tenant.id)
    assert.deepEqual(entry.before, {})
    assert.deepEqual(entry.after, shown.stored)
  })

  test('default removes an override; the audit entry holds before and after', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    await runCommand('tenants:set', [tenant.id, '--send-rate-limit=5/1', '--weight=2'])
    const { command } = await runCommand('tenants:set', [tenant.id, '--send-rate-limit=default'])
    command.assertSucceeded()

    const shown = await showJson(tenant.id)
    assert.deepEqual(shown.stored, { weight: 2 })
    assert.equal(shown.effective.sendRateLimit, 'none')
    const entries = await auditOf(tenant.id)
    assert.deepEqual(entries.at(-1).before, { sendRateLimit: '5/1', weight: 2 })
    assert.deepEqual(entries.at(-1).after, { weight: 2 })
  })

  test('a bad value exits 1 with a clear message and changes nothing', async ({ assert }) => {
    const { tenant } = await createTenant()
    await runCommand('tenants:set', [tenant.id, '--weight=3'])
    const stored = await Tenant.findOrFail(tenant.id)

    for (const [flag, message] of [
      ['--api-rate-limit=20', /is not a rate limit/],
      ['--api-rate-limit=5/0.5', /counts whole seconds/],
      ['--daily-quota=fax=3', /is not a quota/],
      ['--monthly-quota=2147483648', /from 0 to 2147483647/],
      ['--weight=0', /is not a weight/],
    ] as const) {
      const { command, output } = await runCommand('tenants:set', [
        tenant.id,
        '--send-rate-limit=9/1',
        flag,
      ])
      assert.equal(command.exitCode, 1)
      assert.match(output, message)
    }
    const { command, output } = await runCommand('tenants:set', [tenant.id])
    assert.equal(command.exitCode, 1)
    assert.match(output, /Nothing to change/)

    const after = await Tenant.findOrFail(tenant.id)
    assert.deepEqual(after.settings, { weight: 3 })
    assert.equal(after.updatedAt.toMillis(), stored.updatedAt.toMillis())
    assert.lengthOf(await auditOf(tenant.id), 1)
  })

  test('an unknown tenant exits 1 for every command', async ({ assert }) => {
    const unknown = '00000000-0000-4000-8000-000000000000'
    for (const argv of [
      ['tenants:set', unknown, '--weight=2'],
      ['tenants:show', unknown],
      ['tenants:suspend', unknown],
      ['tenants:resume', unknown],
      ['tenants:set', 'not-a-uuid', '--weight=2'],
    ]) {
      const { command, output } = await runCommand(argv[0], argv.slice(1))
      assert.equal(command.exitCode, 1, argv.join(' '))
      assert.match(output, /No tenant/)
    }
  })

  test('tenants:list --json shows every tenant with the settings in force', async ({ assert }) => {
    const { tenant } = await createTenant('Listed')
    await runCommand('tenants:set', [tenant.id, '--api-rate-limit=3/1'])
    const { command, logs } = await runCommand('tenants:list', ['--json'])
    command.assertSucceeded()
    const listed = JSON.parse(logs.at(-1)!).find(
      (view: { tenantId: string }) => view.tenantId === tenant.id
    )
    assert.equal(listed.name, 'Listed')
    assert.equal(listed.status, 'active')
    assert.equal(listed.effective.apiRateLimit, '3/1')
    assert.equal(listed.effective.weight, 1)
  })
})

test.group('Tenant changes and the workers’ poll', () => {
  test('a change takes updated_at from the database’s clock, not the writer’s', async ({
    assert,
    cleanup,
  }) => {
    const { tenant } = await createTenant()
    // This process's clock an hour behind the database's
    Settings.now = () => Date.now() - 3_600_000
    cleanup(() => {
      Settings.now = () => Date.now()
    })
    const { rows } = await db.rawQuery('SELECT clock_timestamp() AS now')

    for (const argv of [
      ['tenants:set', tenant.id, '--weight=4'],
      ['tenants:suspend', tenant.id],
    ]) {
      const { command } = await runCommand(argv[0], argv.slice(1))
      command.assertSucceeded()
      const row = await db.from('tenants').where('id', tenant.id).firstOrFail()
      assert.isAtLeast(row.updated_at.getTime(), rows[0].now.getTime(), argv[0])
    }
  })
})

test.group('tenants:suspend and tenants:resume', () => {
  test('suspend stops sends (403) but not reads; resume lifts it; both audited', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const suspended = await runCommand('tenants:suspend', [tenant.id, '--reason=unpaid invoice'])
    suspended.command.assertSucceeded()

    const shown = await showJson(tenant.id)
    assert.equal(shown.status, 'suspended')
    assert.equal(shown.suspensionReason, 'unpaid invoice')
    assert.isNotNull(shown.suspendedAt)
    const send = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ channel: 'sms', recipient: '+14155550100', content: { text: 'hi' } })
    send.assertStatus(403)
    assert.equal(send.body().errors[0].code, 'E_TENANT_SUSPENDED')
    const list = await client.get('/api/v1/providers').headers(headers)
    list.assertStatus(200)

    const resumed = await runCommand('tenants:resume', [tenant.id])
    resumed.command.assertSucceeded()
    const again = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ channel: 'sms', recipient: '+14155550100', content: { text: 'hi' } })
    again.assertStatus(201)

    const entries = await auditOf(tenant.id)
    assert.deepEqual(
      entries.map((entry) => [entry.action, entry.before, entry.after]),
      [
        [
          'tenant.suspended',
          { status: 'active' },
          { status: 'suspended', reason: 'unpaid invoice' },
        ],
        ['tenant.resumed', { status: 'suspended', reason: 'unpaid invoice' }, { status: 'active' }],
      ]
    )
    const row = await Tenant.findOrFail(tenant.id)
    assert.isNull(row.suspendedAt)
    assert.isNull(row.suspensionReason)
  })

  test('suspending a suspended tenant, or resuming an active one, changes and audits nothing', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    await runCommand('tenants:resume', [tenant.id])
    await runCommand('tenants:suspend', [tenant.id])
    await runCommand('tenants:suspend', [tenant.id, '--reason=again'])
    const entries = await auditOf(tenant.id)
    assert.deepEqual(
      entries.map((entry) => entry.action),
      ['tenant.suspended']
    )
    const row = await Tenant.findOrFail(tenant.id)
    assert.isNull(row.suspensionReason)
  })
})
