import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import ProviderConfig from '#models/provider_config'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { CredentialsCipher } from '#messaging/accounts/credentials_cipher'
import { assertCredentialsKeyOpensStoredConfigs } from '#messaging/accounts/credentials_key_check'
import { createTenant } from '#tests/helpers/tenants'
import { WorkerProcess } from '#tests/helpers/worker_process'
import { runAce, runAppProcess } from '#tests/helpers/ace_process'

const TS_NODE = ['--import=ts-node-maintained/register/esm']

/** Error pages printed without a terminal break after every word */
function oneLine(output: string) {
  return output.replace(/\s+/g, ' ')
}

/** What a worker that must not start printed before it exited */
async function failedWorkerStart(env: Record<string, string>) {
  let worker: WorkerProcess
  try {
    worker = await WorkerProcess.start('P4', env)
  } catch (error) {
    return oneLine((error as Error).message)
  }
  await worker.stop()
  throw new Error(`the worker started with CREDENTIALS_KEY=${env.CREDENTIALS_KEY}`)
}

test.group('A wrong CREDENTIALS_KEY fails loudly at start-up', (group) => {
  const wrongKey = randomBytes(32).toString('base64')
  let config: ProviderConfig

  group.setup(async () => {
    const { tenant } = await createTenant()
    const accounts = await app.container.make(ProviderAccounts)
    // Sealed with this process's key, the one the service was set up with
    config = await ProviderConfig.create({
      ...accounts.sealNew(tenant.id, {}),
      type: GatewayType.Log,
      channel: Channel.Email,
      name: 'Sealed with the right key',
      priority: 0,
      enabled: false,
      mask: '',
      metadata: {},
    })
    return () => config.delete()
  })

  test('a worker started with another key exits non-zero, naming the variable', async ({
    assert,
  }) => {
    const output = await failedWorkerStart({ CREDENTIALS_KEY: wrongKey })

    assert.match(output, /^worker exited at start with 1:/)
    assert.include(output, `CREDENTIALS_KEY cannot decrypt the stored credentials`)
    // The first row it cannot open; earlier tests may have left others
    assert.match(output, /of provider config [0-9a-f-]{36}: it is not the key/)
    assert.notInclude(output, 'worker started')
    assert.notInclude(output, wrongKey)
  })

  test('a key that is not 32 bytes stops the worker too', async ({ assert }) => {
    const output = await failedWorkerStart({ CREDENTIALS_KEY: randomBytes(16).toString('base64') })

    assert.match(output, /^worker exited at start with 1:/)
    assert.include(output, 'CREDENTIALS_KEY must be 32 bytes')
  })

  test('the API server exits non-zero instead of listening', async ({ assert }) => {
    const { exitCode: code, output } = await runAppProcess([...TS_NODE, 'bin/server.ts'], {
      env: { CREDENTIALS_KEY: wrongKey, PORT: '0' },
      timeoutMs: 30_000,
    })

    assert.equal(code, 1)
    assert.include(oneLine(output), 'CREDENTIALS_KEY cannot decrypt the stored credentials')
    assert.notInclude(output, 'started HTTP server')
  })

  test('migrations still run with any key', async ({ assert }) => {
    const { exitCode: code, output } = await runAce(['migration:status'], {
      env: { CREDENTIALS_KEY: wrongKey },
      timeoutMs: 30_000,
    })

    assert.equal(code, 0, output)
    assert.include(output, '0003_create_provider_configs_table')
    assert.notInclude(output, 'CREDENTIALS_KEY')
  })
})

test.group('The sandbox’s own configs', () => {
  test('sealed under another key, they do not stop a start (the sandbox re-seals them)', async ({
    assert,
  }) => {
    const otherAccounts = new ProviderAccounts(
      new CredentialsCipher(randomBytes(32).toString('base64'))
    )
    const sandboxConfig = await ProviderConfig.create({
      ...otherAccounts.sealNew(null, {}),
      type: GatewayType.Log,
      channel: Channel.Push,
      name: 'Left by another clone’s sandbox',
      priority: 0,
      enabled: false,
      mask: '',
      metadata: { sandbox: true },
    })
    try {
      const cipher = await app.container.make(CredentialsCipher)
      const logger = await app.container.make('logger')
      await assert.doesNotReject(() => assertCredentialsKeyOpensStoredConfigs(cipher, logger))
    } finally {
      await sandboxConfig.delete()
    }
  })
})
