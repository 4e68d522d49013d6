import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { createKey, createTenant } from '#tests/helpers/tenants'
import { auditRowsFor, keyIdOf, rawAuditText } from '#tests/helpers/audit'
import {
  expireKey,
  issueKeyThroughApi,
  keyRowsOf,
  listedKeys,
  readStatus,
} from '#tests/helpers/api_keys'

/** One key as GET /api/v1/keys lists it */
async function listedKey(client: ApiClient, headers: Record<string, string>, id: string) {
  const keys = await listedKeys(client, headers)
  return keys.find((key) => key.id === id)!
}

test.group('POST /api/v1/keys', () => {
  test('issues a key with its scopes and kind; the secret is in this reply only', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const response = await issueKeyThroughApi(client, owner.headers, {
      name: 'ci',
      scopes: ['read', 'send'],
      kind: 'test',
      expiresInDays: 30,
    })

    response.assertStatus(201)
    const issued = response.body()
    assert.containSubset(issued, { name: 'ci', scopes: ['read', 'send'], kind: 'test' })
    assert.match(issued.apiKey, /^sb_/)
    assert.isTrue(issued.apiKey.startsWith(issued.masked.replace('…', '')))
    const days = (Date.parse(issued.expiresAt) - Date.parse(issued.createdAt)) / 86_400_000
    assert.equal(Math.round(days), 30)
    assert.equal(await readStatus(client, issued.apiKey), 200)

    const secret = issued.apiKey.split('.')[1]
    const rows = await keyRowsOf(owner.tenant.id)
    const row = rows.find((stored) => String(stored.id) === issued.id)
    assert.equal(row.kind, 'test')
    assert.notInclude(JSON.stringify(rows), secret)
    const listed = JSON.stringify(await listedKeys(client, owner.headers))
    assert.notInclude(listed, secret)
    assert.notInclude(listed, row.hash)
  })

  test('a live key is issued when no kind is given, and is audited without its secret', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const ownerKeyId = await keyIdOf(owner)
    const response = await issueKeyThroughApi(client, owner.headers, {
      name: 'worker',
      scopes: ['send'],
    })

    response.assertStatus(201)
    const { apiKey, ...view } = response.body()
    assert.equal(view.kind, 'live')
    assert.isNull(view.expiresAt)
    const entries = await auditRowsFor('api_key', view.id)
    assert.lengthOf(entries, 1)
    assert.containSubset(entries[0], {
      tenant_id: owner.tenant.id,
      action: 'api_key.created',
      actor_type: 'api_key',
      actor_id: ownerKeyId,
      before: null,
      after: view,
    })
    const [row] = await keyRowsOf(owner.tenant.id).where('id', view.id)
    const text = await rawAuditText(entries)
    assert.notInclude(text, apiKey.split('.')[1])
    assert.notInclude(text, row.hash)
  })

  test('invalid {name} → 422 on {field}, nothing issued')
    .with([
      { name: 'missing name and scopes', body: {}, field: 'scopes' },
      {
        name: 'name over 100 characters',
        body: { name: 'k'.repeat(101), scopes: ['read'] },
        field: 'name',
      },
      { name: 'empty scopes', body: { name: 'k', scopes: [] }, field: 'scopes' },
      { name: 'an unknown scope', body: { name: 'k', scopes: ['read', 'admin'] }, field: 'scopes' },
      { name: 'the catch-all scope', body: { name: 'k', scopes: ['*'] }, field: 'scopes' },
      { name: 'scopes not a list', body: { name: 'k', scopes: 'read' }, field: 'scopes' },
      {
        name: 'an unknown kind',
        body: { name: 'k', scopes: ['read'], kind: 'sandbox' },
        field: 'kind',
      },
      {
        name: 'expiry of 0 days',
        body: { name: 'k', scopes: ['read'], expiresInDays: 0 },
        field: 'expiresInDays',
      },
      {
        name: 'expiry in part days',
        body: { name: 'k', scopes: ['read'], expiresInDays: 1.5 },
        field: 'expiresInDays',
      },
    ])
    .run(async ({ client, assert }, { body, field }) => {
      const owner = await createTenant()
      const response = await issueKeyThroughApi(client, owner.headers, body)

      response.assertStatus(422)
      const errors = response.body().errors as Array<{ code: string; field: string }>
      assert.isTrue(errors.every((error) => error.code === 'E_VALIDATION'))
      assert.include(
        errors.map((error) => error.field),
        field
      )
      assert.lengthOf(await keyRowsOf(owner.tenant.id), 1)
    })

  test('a test key issues test keys but never a live one', async ({ client, assert }) => {
    const owner = await createTenant()
    const testKey = await createKey(owner, { scopes: ['read', 'manage'], kind: 'test' })

    for (const kind of ['live', undefined]) {
      const refused = await issueKeyThroughApi(client, testKey.headers, {
        name: 'escalate',
        scopes: ['read'],
        kind,
      })
      refused.assertStatus(403)
      assert.equal(refused.body().errors[0].code, 'E_KEY_ESCALATION')
    }
    assert.lengthOf(await keyRowsOf(owner.tenant.id), 2)

    const allowed = await issueKeyThroughApi(client, testKey.headers, {
      name: 'another test key',
      scopes: ['read'],
      kind: 'test',
    })
    allowed.assertStatus(201)
    assert.equal(allowed.body().kind, 'test')
  })

  test('a test key never holds manage, and a test key revokes no live key', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const refused = await issueKeyThroughApi(client, owner.headers, {
      name: 'test manager',
      scopes: ['read', 'manage'],
      kind: 'test',
    })
    refused.assertStatus(422)
    assert.containSubset(refused.body().errors[0], { code: 'E_VALIDATION', field: 'scopes' })
    assert.lengthOf(await keyRowsOf(owner.tenant.id), 1)

    const liveKeyId = await keyIdOf(owner)
    const legacyTestManager = await createKey(owner, { scopes: ['manage'], kind: 'test' })
    const revoke = await client
      .delete(`/api/v1/keys/${liveKeyId}`)
      .headers(legacyTestManager.headers)
    revoke.assertStatus(403)
    assert.equal(revoke.body().errors[0].code, 'E_KEY_ESCALATION')
    assert.equal(await readStatus(client, owner.apiKey), 200)
  })

  test('a key grants no scope it does not hold itself', async ({ client, assert }) => {
    const owner = await createTenant()
    const manager = await createKey(owner, { scopes: ['read', 'manage'] })

    const refused = await issueKeyThroughApi(client, manager.headers, {
      name: 'sender',
      scopes: ['send'],
    })

    refused.assertStatus(403)
    assert.equal(refused.body().errors[0].code, 'E_KEY_ESCALATION')
    assert.include(refused.body().errors[0].message, 'send')
    assert.lengthOf(await keyRowsOf(owner.tenant.id), 2)
  })
})

test.group('GET /api/v1/keys', () => {
  test('lists only the tenant’s keys, masked, with when each was last used', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const other = await createTenant('other')
    const ownerKeyId = await keyIdOf(owner)
    const reader = await createKey(owner, { scopes: ['read'], kind: 'test' })

    const before = await listedKeys(client, owner.headers)
    assert.sameMembers(
      before.map((key) => key.id),
      [ownerKeyId, reader.keyId]
    )
    const listed = before.find((key) => key.id === reader.keyId)!
    assert.deepEqual(Object.keys(listed).sort(), [
      'createdAt',
      'expiresAt',
      'id',
      'kind',
      'lastUsedAt',
      'masked',
      'name',
      'scopes',
    ])
    assert.containSubset(listed, { scopes: ['read'], kind: 'test', lastUsedAt: null })
    assert.match(listed.masked as string, /^sb_[\w-]+\.…$/)
    assert.isTrue(reader.apiKey.startsWith((listed.masked as string).replace('…', '')))
    assert.equal(await readStatus(client, reader.apiKey), 200)
    const used = await listedKey(client, owner.headers, reader.keyId)
    assert.isString(used.lastUsedAt)
    assert.isAtLeast(Date.parse(used.lastUsedAt as string), Date.parse(used.createdAt as string))

    const others = await listedKeys(client, other.headers)
    assert.deepEqual(
      others.map((key) => key.id),
      [await keyIdOf(other)]
    )
  })
})

test.group('Key lifetime', () => {
  test('a revoked key gets 401 at once; the revocation is audited', async ({ client, assert }) => {
    const owner = await createTenant()
    const doomed = await createKey(owner, { scopes: ['read'] })
    const view = await listedKey(client, owner.headers, doomed.keyId)

    const response = await client.delete(`/api/v1/keys/${doomed.keyId}`).headers(owner.headers)

    response.assertStatus(204)
    const refused = await client.get('/api/v1/providers').bearerToken(doomed.apiKey)
    refused.assertStatus(401)
    assert.equal(refused.body().errors[0].code, 'E_UNAUTHORIZED')
    assert.lengthOf(await keyRowsOf(owner.tenant.id).where('id', doomed.keyId), 0)
    const [entry] = await auditRowsFor('api_key', doomed.keyId)
    assert.containSubset(entry, { action: 'api_key.revoked', after: null })
    assert.equal(entry.before!.id, view.id)
    assert.equal(entry.before!.masked, view.masked)
  })

  test('an expired key gets 401', async ({ client, assert }) => {
    const owner = await createTenant()
    const key = await createKey(owner, { scopes: ['read'] })
    assert.equal(await readStatus(client, key.apiKey), 200)

    await expireKey(key.keyId)

    const refused = await client.get('/api/v1/providers').bearerToken(key.apiKey)
    refused.assertStatus(401)
    assert.equal(refused.body().errors[0].code, 'E_UNAUTHORIZED')
  })

  test('rotation without grace: a new key with the same name, scopes and kind; the old one stops now', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const old = await createKey(owner, { scopes: ['send', 'read'], kind: 'test' })
    const oldView = await listedKey(client, owner.headers, old.keyId)

    const response = await client.post(`/api/v1/keys/${old.keyId}/rotate`).headers(owner.headers)

    response.assertStatus(201)
    const rotated = response.body()
    assert.notEqual(rotated.id, old.keyId)
    assert.containSubset(rotated, {
      name: oldView.name,
      scopes: ['send', 'read'],
      kind: 'test',
      replaced: { id: old.keyId },
    })
    assert.isAtMost(Date.parse(rotated.replaced.expiresAt), Date.now())
    assert.equal(await readStatus(client, old.apiKey), 401)
    assert.equal(await readStatus(client, rotated.apiKey), 200)

    const [entry] = await auditRowsFor('api_key', old.keyId)
    assert.containSubset(entry, {
      action: 'api_key.rotated',
      before: oldView,
      after: { id: rotated.id, replaced: rotated.replaced },
    })
    assert.notInclude(await rawAuditText([entry]), rotated.apiKey.split('.')[1])
  })

  test('rotation with grace: the old key works until its expiry, then gets 401', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const old = await createKey(owner, { scopes: ['read'] })
    const asked = Date.now()

    const response = await client
      .post(`/api/v1/keys/${old.keyId}/rotate`)
      .headers(owner.headers)
      .json({ graceSeconds: 3600 })

    response.assertStatus(201)
    const { replaced, apiKey } = response.body()
    const stops = Date.parse(replaced.expiresAt)
    assert.isAtLeast(stops, asked + 3600_000)
    assert.isAtMost(stops, Date.now() + 3600_000)
    assert.equal(await readStatus(client, old.apiKey), 200)
    assert.equal(await readStatus(client, apiKey), 200)
    const listed = await listedKey(client, owner.headers, old.keyId)
    assert.equal(listed.expiresAt, replaced.expiresAt)

    await expireKey(old.keyId)
    assert.equal(await readStatus(client, old.apiKey), 401)
    assert.equal(await readStatus(client, apiKey), 200)
  })

  test('grace never lets a key outlive its own expiry', async ({ client, assert }) => {
    const owner = await createTenant()
    const issued = await issueKeyThroughApi(client, owner.headers, {
      name: 'short',
      scopes: ['read'],
      expiresInDays: 1,
    })
    const { id, expiresAt } = issued.body()

    const response = await client
      .post(`/api/v1/keys/${id}/rotate`)
      .headers(owner.headers)
      .json({ graceSeconds: 7 * 86_400 })

    response.assertStatus(201)
    assert.equal(response.body().replaced.expiresAt, expiresAt)
  })

  test('a test key cannot rotate a live key into a new live secret', async ({ client, assert }) => {
    const owner = await createTenant()
    const liveKeyId = await keyIdOf(owner)
    const testKey = await createKey(owner, { scopes: ['send', 'read', 'manage'], kind: 'test' })

    const response = await client.post(`/api/v1/keys/${liveKeyId}/rotate`).headers(testKey.headers)

    response.assertStatus(403)
    assert.equal(response.body().errors[0].code, 'E_KEY_ESCALATION')
    assert.equal(await readStatus(client, owner.apiKey), 200)
    assert.lengthOf(await keyRowsOf(owner.tenant.id), 2)
  })

  test('an expired key is not found for rotation (404), as for the auth guard', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const key = await createKey(owner, { scopes: ['read'] })
    await expireKey(key.keyId)

    const response = await client.post(`/api/v1/keys/${key.keyId}/rotate`).headers(owner.headers)

    response.assertStatus(404)
    assert.equal(response.body().errors[0].code, 'E_NOT_FOUND')
    assert.lengthOf(await keyRowsOf(owner.tenant.id), 2)
  })

  test('a key in its grace after a rotation is not rotated again (409)', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const old = await createKey(owner, { scopes: ['read'] })
    const rotate = () =>
      client
        .post(`/api/v1/keys/${old.keyId}/rotate`)
        .headers(owner.headers)
        .json({ graceSeconds: 3600 })
    const first = await rotate()
    first.assertStatus(201)

    const again = await rotate()

    again.assertStatus(409)
    assert.equal(again.body().errors[0].code, 'E_KEY_ALREADY_ROTATED')
    assert.lengthOf(await keyRowsOf(owner.tenant.id), 3)
    assert.equal(await readStatus(client, old.apiKey), 200)
  })

  test('graceSeconds outside 0..7 days → 422 {value}')
    .with([{ value: -1 }, { value: 7 * 86_400 + 1 }, { value: 1.5 }, { value: 'soon' }])
    .run(async ({ client, assert }, { value }) => {
      const owner = await createTenant()
      const keyId = await keyIdOf(owner)

      const response = await client
        .post(`/api/v1/keys/${keyId}/rotate`)
        .headers(owner.headers)
        .json({ graceSeconds: value })

      response.assertStatus(422)
      assert.equal(response.body().errors[0].field, 'graceSeconds')
      const rows = await keyRowsOf(owner.tenant.id)
      assert.deepEqual(
        rows.map((row) => String(row.id)),
        [keyId]
      )
    })
})

test.group('Another tenant’s keys and ids that name no key', () => {
  test('{name} → 404 for rotate and revoke, nothing changed')
    .with([
      { name: 'another tenant’s key', id: null },
      { name: 'a key that does not exist', id: '2147483647' },
      { name: 'an id past PostgreSQL integers', id: '99999999999' },
      { name: 'a non-numeric id', id: 'abc' },
      { name: 'a negative id', id: '-1' },
    ])
    .run(async ({ client, assert }, { id }) => {
      const owner = await createTenant()
      const other = await createTenant('other')
      const keyId = id ?? (await keyIdOf(other))

      const rotate = await client.post(`/api/v1/keys/${keyId}/rotate`).headers(owner.headers)
      const revoke = await client.delete(`/api/v1/keys/${keyId}`).headers(owner.headers)

      for (const response of [rotate, revoke]) {
        response.assertStatus(404)
        assert.equal(response.body().errors[0].code, 'E_NOT_FOUND')
      }
      assert.equal(await readStatus(client, other.apiKey), 200)
      assert.lengthOf(await keyRowsOf(other.tenant.id), 1)
      assert.lengthOf(await keyRowsOf(owner.tenant.id), 1)
    })
})
