import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import ProviderConfig from '#models/provider_config'
import { AuditLog } from '#messaging/audit/audit_log'
import {
  CredentialsCipher,
  credentialsKeyId,
  generateCredentialsKey,
} from '#messaging/accounts/credentials_cipher'
import { PROVIDER_CREDENTIALS } from '#messaging/accounts/credentials_columns'
import { assertCredentialsKeyOpensStoredConfigs } from '#messaging/accounts/credentials_key_check'
import { CredentialsRotation } from '#messaging/accounts/credentials_rotation'
import { storedValues } from '#messaging/accounts/credentials_store'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { WebhookSecrets } from '#messaging/tenant_webhooks/delivery/webhook_secrets'
import { runAce } from '#tests/helpers/ace_process'
import { legacySeal, testCredentialsKey } from '#tests/helpers/credentials'
import { createProvider } from '#tests/helpers/providers'
import { registerEndpoint } from '#tests/helpers/tenant_webhooks'
import { createTenant } from '#tests/helpers/tenants'

const oldKey = generateCredentialsKey()
const logConfig = { type: GatewayType.Log, channel: Channel.Push, priority: 0, enabled: false }

/** A new tenant's (disabled) config whose credentials were sealed with `key`; the tenant's headers */
async function configSealedWith(key: string, credentials: Record<string, unknown>) {
  const { tenant, headers } = await createTenant()
  const accounts = new ProviderAccounts(new CredentialsCipher(key))
  const config = await ProviderConfig.create({
    ...accounts.sealNew(tenant.id, credentials),
    ...logConfig,
    name: 'Sealed under an old key',
    mask: '',
    metadata: {},
  })
  return Object.assign(config, { headers })
}

/** The rotation as the command runs it: this process's key current, `oldKey` previous */
function rotation() {
  return new CredentialsRotation(
    new CredentialsCipher(testCredentialsKey(), [oldKey]),
    new AuditLog()
  )
}

async function stored(id: string) {
  return (await db.from('provider_configs').where('id', id).firstOrFail()) as Record<string, any>
}

test.group('credentials:rotate-key', () => {
  test('values under a previous key and legacy v1 values move under the current key; a second run moves none', async ({
    assert,
    cleanup,
  }) => {
    const previous = await configSealedWith(oldKey, { apiKey: 'under-the-old-key' })
    const legacy = await configSealedWith(oldKey, {})
    await db
      .from('provider_configs')
      .where('id', legacy.id)
      .update({ encrypted_config: legacySeal(testCredentialsKey(), { apiKey: 'legacy' }) })
    cleanup(async () => {
      await ProviderConfig.query().whereIn('id', [previous.id, legacy.id]).delete()
    })
    const before = await stored(previous.id)

    const report = await rotation().run({ type: 'operator', id: 'rotation-spec' })

    assert.equal(report.fromKeys[credentialsKeyId(oldKey)], 1)
    assert.isAtLeast(report.fromKeys.v1, 1)
    assert.deepEqual(report.unreadable, [])
    assert.deepEqual(report.removableKeyIds, [credentialsKeyId(oldKey)])
    const accounts = await app.container.make(ProviderAccounts)
    const current = new CredentialsCipher(testCredentialsKey())
    for (const [config, apiKey] of [
      [previous, 'under-the-old-key'],
      [legacy, 'legacy'],
    ] as const) {
      const row = await stored(config.id)
      assert.isTrue(current.isCurrent(row.encrypted_config))
      const reloaded = await ProviderConfig.findOrFail(config.id)
      assert.deepEqual(accounts.open(reloaded).credentials, { apiKey })
    }
    // The plaintext did not change: neither does updated_at, and no gateway is rebuilt
    const after = await stored(previous.id)
    assert.deepEqual(after.updated_at, before.updated_at)

    const entry = await db
      .from('audit_entries')
      .where('action', 'credentials.key_rotated')
      .where('actor_id', 'rotation-spec')
      .orderBy('id', 'desc')
      .firstOrFail()
    assert.isNull(entry.tenant_id)
    assert.equal(entry.actor_type, 'operator')
    assert.equal(entry.target_id, credentialsKeyId(testCredentialsKey()))
    assert.containsSubset(entry.after, {
      rotated: report.rotated,
      currentKeyId: credentialsKeyId(testCredentialsKey()),
      fromKeys: report.fromKeys,
    })

    const again = await rotation().run({ type: 'operator', id: 'rotation-spec-again' })
    assert.equal(again.rotated, 0)
    assert.isAbove(again.alreadyCurrent, 0)
    const entries = await db.from('audit_entries').where('actor_id', 'rotation-spec-again')
    assert.lengthOf(entries, 0, 'a run that changes nothing records nothing')
  })

  test('an edit made between the read and the write is kept, not overwritten', async ({
    client,
    assert,
    cleanup,
  }) => {
    // A legacy value: the rotation rewrites it, and the API (this process) can read it to edit it
    const config = await configSealedWith(oldKey, {})
    cleanup(() => config.delete())
    await db
      .from('provider_configs')
      .where('id', config.id)
      .update({ encrypted_config: legacySeal(testCredentialsKey(), {}) })
    const staleRead = []
    for await (const values of storedValues(PROVIDER_CREDENTIALS, 10, [config.id])) {
      staleRead.push(...values)
    }

    // The tenant edits the config through the API meanwhile
    const edited = await client
      .patch(`/api/v1/providers/${config.id}`)
      .headers(config.headers)
      .json({ name: 'Edited meanwhile' })
    edited.assertStatus(200)
    const afterEdit = await stored(config.id)

    const rotating = rotation()
    const report = rotating.newReport()
    await rotating.rotate(PROVIDER_CREDENTIALS, staleRead, report)

    assert.equal(report.changedMeanwhile, 1)
    assert.equal(report.rotated, 0)
    assert.equal(report.alreadyCurrent, 1, 'read again: the edit sealed it under the current key')
    const now = await stored(config.id)
    assert.equal(now.encrypted_config, afterEdit.encrypted_config)
    assert.equal(now.name, 'Edited meanwhile')
  })

  test('a value no key of the ring opens: the command exits 1 naming it and keeps the key to remove', async ({
    assert,
    cleanup,
  }) => {
    const lost = await configSealedWith(generateCredentialsKey(), {})
    cleanup(() => lost.delete())

    const { exitCode, output } = await runAce(['credentials:rotate-key'], {
      env: { CREDENTIALS_PREVIOUS_KEYS: oldKey },
    })

    assert.equal(exitCode, 1, output)
    assert.include(
      output,
      `provider config ${lost.id}: no key of CREDENTIALS_KEY and CREDENTIALS_PREVIOUS_KEYS opens`
    )
    assert.include(output, 'add the key they were sealed with to CREDENTIALS_PREVIOUS_KEYS')
    assert.notInclude(output, 'Next: remove')
  })

  test('the command prints the counts and the key to remove next', async ({ assert, cleanup }) => {
    const previous = await configSealedWith(oldKey, {})
    cleanup(() => previous.delete())

    const { exitCode, output } = await runAce(['credentials:rotate-key'], {
      env: { CREDENTIALS_PREVIOUS_KEYS: oldKey },
    })

    assert.equal(exitCode, 0, output)
    assert.match(output, /1 values re-encrypted under key [0-9a-f]{8} \(1 from [0-9a-f]{8}\)/)
    assert.include(
      output,
      `Next: remove ${credentialsKeyId(oldKey)} from CREDENTIALS_PREVIOUS_KEYS`
    )
  })

  test('a start with values under a previous key goes ahead, and says to rotate', async ({
    assert,
    cleanup,
  }) => {
    const previous = await configSealedWith(oldKey, {})
    cleanup(() => previous.delete())

    const { exitCode, output } = await runAce(['providers:list', '--system'], {
      env: { CREDENTIALS_PREVIOUS_KEYS: oldKey },
    })

    assert.equal(exitCode, 0, output)
    assert.include(output, 'sealed under a previous key or in the legacy v1 format')
    assert.include(output, 'node ace credentials:rotate-key')
  })

  test('credentials:generate-key prints a 32-byte base64 key', async ({ assert }) => {
    const { exitCode, output } = await runAce(['credentials:generate-key'])
    assert.equal(exitCode, 0, output)
    const [key] = output.trim().split('\n')
    assert.lengthOf(Buffer.from(key, 'base64'), 32)
    assert.include(output, `key id ${credentialsKeyId(key)}`)
  })
})

test.group('Sealed values are bound to their row', () => {
  test('a provider config’s credentials copied into another tenant’s config do not open', async ({
    client,
    assert,
    cleanup,
  }) => {
    const first = await createTenant()
    const second = await createTenant()
    const body = { type: 'log', channel: 'push', name: 'Log', enabled: false, config: {} }
    const firstId = await createProvider(client, first.headers, body)
    const secondId = await createProvider(client, second.headers, body)
    cleanup(async () => {
      await ProviderConfig.query().whereIn('id', [firstId, secondId]).delete()
    })
    const copied = await stored(firstId)
    await db
      .from('provider_configs')
      .where('id', secondId)
      .update({ encrypted_config: copied.encrypted_config })

    const accounts = await app.container.make(ProviderAccounts)
    await assert.rejects(() => accounts.find(secondId), /belong to another row/)
    const cipher = await app.container.make(CredentialsCipher)
    await assert.rejects(
      async () =>
        assertCredentialsKeyOpensStoredConfigs(cipher, await app.container.make('logger')),
      new RegExp(`provider config ${secondId}`)
    )
    assert.isOk(await accounts.find(firstId))
  })

  test('a webhook endpoint’s secret copied into another endpoint does not open', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const url = 'http://127.0.0.1:9/hooks'
    const first = await registerEndpoint(client, headers, {
      url,
      eventTypes: ['message.delivered'],
    })
    const second = await registerEndpoint(client, headers, {
      url,
      eventTypes: ['message.delivered'],
    })
    const rows = await db.from('webhook_endpoints').whereIn('id', [first.id, second.id])
    const firstRow = rows.find((row) => row.id === first.id)
    const secretsOf = (row: Record<string, any>, sealed = row.encrypted_secret) => ({
      id: row.id,
      tenantId: row.tenant_id,
      encryptedSecret: sealed,
    })
    const secrets = await app.container.make(WebhookSecrets)

    assert.equal(secrets.open(secretsOf(firstRow)), first.secret)
    const secondRow = rows.find((row) => row.id === second.id)
    assert.throws(
      () => secrets.open(secretsOf(secondRow, firstRow.encrypted_secret)),
      /belong to another row/
    )
  })
})
