import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import { runCommand } from '#tests/helpers/commands'
import { runAce } from '#tests/helpers/ace_process'
import { createKey, createTenant } from '#tests/helpers/tenants'
import { auditRowsFor, keyIdOf } from '#tests/helpers/audit'
import { keyRowsOf, readStatus } from '#tests/helpers/api_keys'

/** A key command expected to succeed and print JSON: what it printed */
async function jsonOf(name: string, argv: string[]) {
  const { command, logs } = await runCommand(name, [...argv, '--json'])
  command.assertSucceeded()
  return JSON.parse(logs.at(-1)!)
}

async function keyIdsOf(tenantId: string) {
  const rows = await keyRowsOf(tenantId)
  return rows.map((row) => String(row.id))
}

test.group('tenants:create', () => {
  test('--json prints exactly {tenantId, apiKey}; the key sends, reads and manages', async ({
    client,
    assert,
  }) => {
    const { exitCode, output } = await runAce(['tenants:create', 'Acme', '--json'], {
      env: { SWITCHBOARD_OPERATOR: 'ada' },
    })

    assert.equal(exitCode, 0, output)
    const printed = JSON.parse(output.trim())
    assert.deepEqual(Object.keys(printed).sort(), ['apiKey', 'tenantId'])
    const [row] = await keyRowsOf(printed.tenantId)
    assert.deepEqual(JSON.parse(row.abilities), ['send', 'read', 'manage'])
    assert.equal(row.kind, 'live')
    assert.notInclude(JSON.stringify(row), printed.apiKey.split('.')[1])

    assert.equal(await readStatus(client, printed.apiKey), 200)
    const listed = await client.get('/api/v1/keys').bearerToken(printed.apiKey)
    listed.assertStatus(200)
    const [entry] = await auditRowsFor('api_key', String(row.id))
    assert.containSubset(entry, {
      tenant_id: printed.tenantId,
      action: 'api_key.created',
      actor_type: 'operator',
      actor_id: 'ada',
      after: { id: String(row.id), scopes: ['send', 'read', 'manage'], kind: 'live' },
    })
  })
})

test.group('tenants:issue-key', () => {
  test('issues a key with the scopes, kind, name and expiry given; audited', async ({
    client,
    assert,
  }) => {
    const { tenant } = await createTenant()
    const issued = await jsonOf('tenants:issue-key', [
      tenant.id,
      '--scopes=send,read',
      '--kind=test',
      '--name=ci',
      '--expires-in-days=3',
    ])

    assert.containSubset(issued, {
      tenantId: tenant.id,
      keyId: issued.id,
      name: 'ci',
      scopes: ['send', 'read'],
      kind: 'test',
    })
    const days = (Date.parse(issued.expiresAt) - Date.parse(issued.createdAt)) / 86_400_000
    assert.equal(Math.round(days), 3)
    const [row] = await keyRowsOf(tenant.id).where('id', issued.keyId)
    assert.equal(row.kind, 'test')
    assert.equal(await readStatus(client, issued.apiKey), 200)
    const [entry] = await auditRowsFor('api_key', issued.keyId)
    assert.containSubset(entry, { action: 'api_key.created', actor_type: 'operator' })
  })

  test('with no --scopes the key gets all three, live, as before scopes existed', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const issued = await jsonOf('tenants:issue-key', [tenant.id])
    assert.containSubset(issued, { scopes: ['send', 'read', 'manage'], kind: 'live' })
    assert.isNull(issued.expiresAt)
  })

  test('{name} → exit code 1, a message, nothing issued')
    .with([
      { name: 'an unknown scope', flags: ['--scopes=send,admin'], message: 'scopes' },
      { name: 'no scope at all', flags: ['--scopes=,'], message: 'scopes' },
      { name: 'a scope twice', flags: ['--scopes=read,read'], message: 'scopes' },
      { name: 'an unknown kind', flags: ['--kind=sandbox'], message: 'kind' },
      {
        name: 'a test key with manage',
        flags: ['--kind=test', '--scopes=read,manage'],
        message: 'may not hold the manage scope',
      },
      { name: 'an expiry of 0 days', flags: ['--expires-in-days=0'], message: 'expiresInDays' },
      { name: 'a name over 100 characters', flags: [`--name=${'k'.repeat(101)}`], message: 'name' },
    ])
    .run(async ({ assert }, { flags, message }) => {
      const owner = await createTenant()
      const { command, output } = await runCommand('tenants:issue-key', [owner.tenant.id, ...flags])

      assert.equal(command.exitCode, 1)
      assert.include(output, message)
      assert.deepEqual(await keyIdsOf(owner.tenant.id), [await keyIdOf(owner)])
    })

  test('an unknown tenant → exit code 1: {tenantId}')
    .with([{ tenantId: randomUUID() }, { tenantId: 'not-a-uuid' }])
    .run(async ({ assert }, { tenantId }) => {
      const { command, output } = await runCommand('tenants:issue-key', [tenantId])
      assert.equal(command.exitCode, 1)
      assert.include(output, `No tenant ${tenantId}`)
    })
})

test.group('tenants:keys', () => {
  test('--json lists scopes, kind, masked key and last use, never a secret', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const reader = await createKey(owner, { scopes: ['read'], kind: 'test' })
    assert.equal(await readStatus(client, reader.apiKey), 200)

    const { keys } = await jsonOf('tenants:keys', [owner.tenant.id])

    assert.sameMembers(
      keys.map((key: { id: string }) => key.id),
      await keyIdsOf(owner.tenant.id)
    )
    const listed = keys.find((key: { id: string }) => key.id === reader.keyId)
    assert.containSubset(listed, { scopes: ['read'], kind: 'test' })
    assert.isString(listed.lastUsedAt)
    assert.isTrue(reader.apiKey.startsWith(listed.masked.replace('…', '')))
    for (const secret of [owner.apiKey, reader.apiKey].map((key) => key.split('.')[1])) {
      assert.notInclude(JSON.stringify(keys), secret)
    }

    const { command, output } = await runCommand('tenants:keys', [owner.tenant.id])
    command.assertSucceeded()
    assert.include(output, listed.masked)
    assert.include(output, 'read')
  })

  test('an unknown tenant → exit code 1', async ({ assert }) => {
    const { command, output } = await runCommand('tenants:keys', [randomUUID(), '--json'])
    assert.equal(command.exitCode, 1)
    assert.include(output, 'No tenant')
  })
})

test.group('tenants:rotate-key', () => {
  test('with --grace-seconds the old key works until then; the new one at once; audited', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const old = await createKey(owner, { scopes: ['send', 'read'], kind: 'test' })

    const rotated = await jsonOf('tenants:rotate-key', [
      owner.tenant.id,
      old.keyId,
      '--grace-seconds=600',
    ])

    assert.containSubset(rotated, {
      tenantId: owner.tenant.id,
      scopes: ['send', 'read'],
      kind: 'test',
      replaced: { id: old.keyId },
    })
    assert.isAbove(Date.parse(rotated.replaced.expiresAt), Date.now())
    assert.equal(await readStatus(client, old.apiKey), 200)
    assert.equal(await readStatus(client, rotated.apiKey), 200)
    const [entry] = await auditRowsFor('api_key', old.keyId)
    assert.containSubset(entry, {
      action: 'api_key.rotated',
      actor_type: 'operator',
      after: { id: rotated.id, replaced: rotated.replaced },
    })
  })

  test('without grace the old key gets 401 at once', async ({ client, assert }) => {
    const owner = await createTenant()
    const old = await createKey(owner, { scopes: ['read'] })

    const { command, output } = await runCommand('tenants:rotate-key', [owner.tenant.id, old.keyId])

    command.assertSucceeded()
    assert.include(output, `Key ${old.keyId} rotated`)
    assert.equal(await readStatus(client, old.apiKey), 401)
  })

  test('{name} → exit code 1, nothing changed')
    .with([
      { name: 'another tenant’s key', argv: [], message: 'No key' },
      { name: 'a key id that is not a number', argv: ['abc'], message: 'No key abc' },
      { name: 'grace over 7 days', argv: ['', '--grace-seconds=604801'], message: 'graceSeconds' },
      { name: 'negative grace', argv: ['', '--grace-seconds=-1'], message: 'graceSeconds' },
    ])
    .run(async ({ client, assert }, { argv, message }) => {
      const owner = await createTenant()
      const other = await createTenant('other')
      const ownKeyId = await keyIdOf(owner)
      const [keyId = '', ...flags] = argv
      const target = keyId || (flags.length ? ownKeyId : await keyIdOf(other))

      const { command, output } = await runCommand('tenants:rotate-key', [
        owner.tenant.id,
        target,
        ...flags,
      ])

      assert.equal(command.exitCode, 1)
      assert.include(output, message)
      assert.deepEqual(await keyIdsOf(owner.tenant.id), [ownKeyId])
      assert.equal(await readStatus(client, other.apiKey), 200)
      assert.equal(await readStatus(client, owner.apiKey), 200)
    })
})

test.group('tenants:revoke-key', () => {
  test('revokes the key: 401 from then on; audited', async ({ client, assert }) => {
    const owner = await createTenant()
    const doomed = await createKey(owner, { scopes: ['read'] })

    const { command } = await runCommand('tenants:revoke-key', [owner.tenant.id, doomed.keyId])

    command.assertSucceeded()
    assert.equal(await readStatus(client, doomed.apiKey), 401)
    const [entry] = await auditRowsFor('api_key', doomed.keyId)
    assert.containSubset(entry, {
      action: 'api_key.revoked',
      actor_type: 'operator',
      before: { id: doomed.keyId, scopes: ['read'] },
      after: null,
    })
  })

  test('another tenant’s key → exit code 1, the key still works', async ({ client, assert }) => {
    const owner = await createTenant()
    const other = await createTenant('other')

    const { command, output } = await runCommand('tenants:revoke-key', [
      owner.tenant.id,
      await keyIdOf(other),
    ])

    assert.equal(command.exitCode, 1)
    assert.include(output, 'No key')
    assert.equal(await readStatus(client, other.apiKey), 200)
  })
})
