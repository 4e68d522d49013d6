import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import app from '@adonisjs/core/services/app'
import ProviderConfig from '#models/provider_config'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import ProvidersAdd from '#commands/providers_add'
import ProvidersList from '#commands/providers_list'
import ProvidersRemove from '#commands/providers_remove'
import { runCommand } from '#tests/helpers/commands'
import { runAce } from '#tests/helpers/ace_process'
import { emptyQueues } from '#tests/helpers/queues'
import { createTenant } from '#tests/helpers/tenants'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const API_KEY = 'postal-system-key-8642'
const NAME = 'Internal Postal (providers commands test)'

/** The --config of a Postal account at `baseUrl` */
function postalConfigAt(baseUrl: string) {
  return JSON.stringify({ baseUrl, apiKey: API_KEY, from: 'ops@example.com' })
}

/** providers:add's arguments for the system Postal account NAME at `baseUrl` */
function systemPostalArgs(baseUrl: string) {
  return [
    '--system',
    'postal',
    '--channel',
    'email',
    '--name',
    NAME,
    '--config',
    postalConfigAt(baseUrl),
  ]
}

/** The id in "System provider <id> added" */
function addedId(output: string) {
  const id = /System provider ([0-9a-f-]{36}) added/.exec(output)?.[1]
  if (!id) throw new Error(`no provider id in:\n${output}`)
  return id
}

/** A table row (raw mode): id|name|type|channel|priority|enabled|config|metadata */
function rowOf(logs: string[], id: string) {
  const row = logs.find((line) => line.startsWith(`${id}|`))
  if (!row) return null
  const [, name, type, channel, priority, enabled, config, metadata] = row.split('|')
  return { name, type, channel, priority, enabled, config: JSON.parse(config), metadata }
}

async function systemConfigCount() {
  const [row] = await db.from('provider_configs').whereNull('tenant_id').count('* as total')
  return Number(row.total)
}

test.group('providers:add, list, test and remove (system providers)', (group) => {
  const postal = new PostalFakeServer({ apiKey: API_KEY })
  const postalConfig = () => postalConfigAt(postal.baseUrl)

  group.setup(async () => {
    await postal.start(0)
    return async () => {
      // A test that failed half-way must not leave a system provider routing later tests' email
      await ProviderConfig.query().whereNull('tenant_id').where('name', NAME).delete()
      await postal.stop()
    }
  })

  test('add → list shows it masked → test → remove', async ({ assert }) => {
    const added = await runCommand(ProvidersAdd, [
      ...systemPostalArgs(postal.baseUrl),
      '--priority',
      '7',
      '--metadata',
      '{"tps":25}',
    ])
    added.command.assertSucceeded()
    assert.notInclude(added.output, API_KEY)
    const id = addedId(added.output)
    const stored = await ProviderConfig.findOrFail(id)
    assert.include(stored.$attributes, {
      tenantId: null,
      type: 'postal',
      channel: 'email',
      priority: 7,
      enabled: true,
    })
    assert.notInclude(stored.encryptedConfig, API_KEY, 'credentials are sealed')

    const listed = await runCommand(ProvidersList, ['--system'])
    listed.command.assertSucceeded()
    assert.notInclude(listed.output, API_KEY)
    assert.deepEqual(rowOf(listed.logs, id), {
      name: NAME,
      type: 'postal',
      channel: 'email',
      priority: '7',
      enabled: 'yes',
      config: { baseUrl: postal.baseUrl, apiKey: `…${API_KEY.slice(-4)}`, from: 'ops@example.com' },
      metadata: '{"tps":25}',
    })

    const tested = await runCommand('providers:test', [id])
    tested.command.assertSucceeded()
    assert.include(tested.output, '1 configs ok')
    assert.notInclude(tested.output, API_KEY)
    assert.equal(postal.sendsByMessageId.size, 0, 'a connection test sends nothing')

    const removed = await runCommand(ProvidersRemove, [id])
    removed.command.assertSucceeded()
    assert.isNull(await ProviderConfig.find(id))
    const { logs } = await runCommand(ProvidersList, ['--system'])
    assert.isNull(rowOf(logs, id))

    const again = await runCommand(ProvidersRemove, [id])
    assert.equal(again.command.exitCode, 1)
    assert.include(again.output, `No system provider ${id}`)
  })

  test('a tenant’s own provider is neither listed nor removed here', async ({ assert }) => {
    const { tenant } = await createTenant('Owns a provider')
    const own = await runCommand(ProvidersAdd, [
      '--system',
      'log',
      '--channel',
      'sms',
      '--name',
      NAME,
    ])
    own.command.assertSucceeded()
    const id = addedId(own.output)
    // Moved to the tenant, its credentials sealed again: a seal is bound to its row's owner
    const accounts = await app.container.make(ProviderAccounts)
    await ProviderConfig.query()
      .where('id', id)
      .update({
        tenant_id: tenant.id,
        encrypted_config: accounts.seal({ id, tenantId: tenant.id }, {}),
      })

    const { logs } = await runCommand(ProvidersList, ['--system'])
    assert.isNull(rowOf(logs, id))
    const removed = await runCommand(ProvidersRemove, [id])
    assert.equal(removed.command.exitCode, 1)
    assert.isNotNull(await ProviderConfig.find(id), 'the tenant’s provider is still there')
  })

  test('bad input exits 1 with a clear message and stores nothing', async ({ assert }) => {
    const before = await systemConfigCount()
    const cases: Array<{ argv: string[]; says: string[] }> = [
      {
        argv: ['--system', 'postal', '--channel', 'email', '--config', '{"baseUrl":'],
        says: ['--config is not valid JSON'],
      },
      {
        argv: [
          '--system',
          'postal',
          '--channel',
          'email',
          '--config',
          postalConfig(),
          '--metadata',
          '[1',
        ],
        says: ['--metadata is not valid JSON'],
      },
      {
        argv: ['--system', 'carrier-pigeon', '--channel', 'email', '--config', '{}'],
        says: ['type: The type must be one of postal, ses, twilio, fcm, webhook, log'],
      },
      {
        argv: ['--system', 'postal', '--channel', 'fax', '--config', postalConfig()],
        says: ['channel: The channel must be one of email, sms, push, webhook'],
      },
      {
        argv: ['--system', 'postal', '--channel', 'sms', '--config', postalConfig()],
        says: ['channel: The postal provider type carries email, not sms'],
      },
      {
        argv: ['--system', 'postal', '--channel', 'email', '--config', '{"baseUrl":"not a url"}'],
        says: ['config.baseUrl:', 'config.apiKey:', 'config.from:'],
      },
      {
        argv: ['postal', '--channel', 'email', '--config', postalConfig()],
        says: ['Only system providers are managed here: add --system'],
      },
    ]
    for (const { argv, says } of cases) {
      const { command, output } = await runCommand(ProvidersAdd, argv)
      assert.equal(command.exitCode, 1, argv.join(' '))
      for (const line of says) assert.include(output, line)
      assert.notInclude(output, API_KEY)
    }
    assert.equal(await systemConfigCount(), before)

    const listed = await runCommand(ProvidersList, [])
    assert.equal(listed.command.exitCode, 1)
    assert.include(listed.output, 'add --system')
  })

  test('in a process of its own, bad JSON is one clear line and exit 1, no stack trace', async ({
    assert,
  }) => {
    const { exitCode, output } = await runAce([
      'providers:add',
      '--system',
      'postal',
      '--channel',
      'email',
      '--config',
      `{"apiKey":"${API_KEY}"`,
    ])

    assert.equal(exitCode, 1)
    assert.include(output, '--config is not valid JSON')
    assert.notInclude(output, API_KEY, 'the bad text is not echoed: it may hold a secret')
    assert.notMatch(output, /\n\s+at |Error:|❯/)
  })
})

test.group('A system provider added with providers:add carries a tenant’s message', (group) => {
  const postal = new PostalFakeServer({ apiKey: API_KEY })
  let worker: WorkerProcess | undefined

  group.setup(async () => {
    await Promise.all([postal.start(0), emptyQueues()])
    return async () => {
      await worker?.stop()
      await ProviderConfig.query().whereNull('tenant_id').where('name', NAME).delete()
      await postal.stop()
    }
  })

  test('routed as the system default, to a loopback gateway no egress range allows', async ({
    client,
    assert,
  }) => {
    const added = await runAce(['providers:add', ...systemPostalArgs(postal.baseUrl)])
    assert.equal(added.exitCode, 0, added.output)
    const id = addedId(added.output)
    // Tenants may reach no internal range in this worker: only the system provider's trust lets it through
    worker = await WorkerProcess.start('P1', { EGRESS_ALLOW: '' })

    const { headers } = await createTenant('No providers of its own')
    const created = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({
        channel: 'email',
        priority: 'P1',
        recipient: 'ada@example.com',
        subject: 'Hello',
        content: { text: 'Hi' },
      })
    created.assertStatus(201)
    const messageId: string = created.body().id

    const message = await waitUntil('the message to be sent', async () => {
      const row = await db.from('messages').where('id', messageId).first()
      return row?.status === 'sent' ? row : null
    })
    assert.equal(message.provider_config_id, id)
    assert.equal(postal.sendsByMessageId.get(messageId), 1)

    const removed = await runAce(['providers:remove', id])
    assert.equal(removed.exitCode, 0, removed.output)
  })
})
