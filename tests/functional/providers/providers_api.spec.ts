import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import ProviderConfig from '#models/provider_config'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { createProvider } from '#tests/helpers/providers'
import { withPublicDns } from '#tests/helpers/egress'
import { createTenant } from '#tests/helpers/tenants'

const API_KEY = 'postal-secret-api-key-9f3a'
const postal = {
  type: 'postal',
  channel: 'email',
  name: 'Main Postal',
  priority: 2,
  config: {
    baseUrl: 'https://postal.example.com',
    apiKey: API_KEY,
    from: 'news@example.com',
    webhookPublicKey: 'MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAK',
  },
  metadata: { tps: 20, region: 'eu' },
}

async function storedRow(id: string) {
  return db.from('provider_configs').where('id', id).first()
}

async function storedCredentials(id: string) {
  const accounts = await app.container.make(ProviderAccounts)
  return accounts.open(await ProviderConfig.findOrFail(id)).credentials
}

test.group('Provider configs: API round trip', (group) => {
  // postal.example.com and its like resolve to a public address, without the network
  withPublicDns(group)

  test('create seals the credentials; the reply shows only the mask', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()

    const created = await client.post('/api/v1/providers').headers(headers).json(postal)

    created.assertStatus(201)
    assert.notInclude(created.text(), API_KEY)
    assert.containsSubset(created.body(), {
      type: 'postal',
      channel: 'email',
      name: 'Main Postal',
      priority: 2,
      enabled: true,
      metadata: { tps: 20, region: 'eu' },
      config: { ...postal.config, apiKey: '…9f3a' },
    })
    assert.notProperty(created.body(), 'encryptedConfig')

    const row = await storedRow(created.body().id)
    assert.equal(row.tenant_id, tenant.id)
    assert.equal(row.mask, '…9f3a')
    assert.notEqual(row.encrypted_config, JSON.stringify(postal.config))
    assert.notInclude(row.encrypted_config, API_KEY)
    assert.deepEqual(await storedCredentials(row.id), postal.config)
  })

  test('show and list give the mask, never the secret', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const id = await createProvider(client, headers, postal)
    await client
      .post('/api/v1/providers')
      .headers(headers)
      .json({ type: 'log', channel: 'sms', name: 'Logs', priority: 0, config: {} })

    const shown = await client.get(`/api/v1/providers/${id}`).headers(headers)
    shown.assertStatus(200)
    assert.notInclude(shown.text(), API_KEY)
    assert.equal(shown.body().config.apiKey, '…9f3a')
    assert.equal(shown.body().config.baseUrl, postal.config.baseUrl)

    const listed = await client.get('/api/v1/providers').headers(headers)
    listed.assertStatus(200)
    assert.notInclude(listed.text(), API_KEY)
    assert.deepEqual(
      listed.body().providers.map((provider: { type: string; channel: string }) => provider.type),
      ['postal', 'log']
    )
    assert.equal(listed.body().providers[0].config.apiKey, '…9f3a')
  })

  test('PATCH merges config fields over the stored ones and re-masks a new secret', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const id = await createProvider(client, headers, postal)

    const renamed = await client
      .patch(`/api/v1/providers/${id}`)
      .headers(headers)
      .json({ name: 'Renamed', enabled: false, config: { from: 'alerts@example.com' } })
    renamed.assertStatus(200)
    assert.containsSubset(renamed.body(), {
      name: 'Renamed',
      enabled: false,
      priority: 2,
      config: { from: 'alerts@example.com', apiKey: '…9f3a', baseUrl: postal.config.baseUrl },
    })
    assert.deepEqual(await storedCredentials(id), { ...postal.config, from: 'alerts@example.com' })

    const newKey = 'rotated-postal-key-7c7c'
    const rotated = await client
      .patch(`/api/v1/providers/${id}`)
      .headers(headers)
      .json({ config: { apiKey: newKey, webhookPublicKey: null }, metadata: { tps: 5 } })
    rotated.assertStatus(200)
    assert.notInclude(rotated.text(), newKey)
    assert.equal(rotated.body().config.apiKey, '…7c7c')
    assert.notProperty(rotated.body().config, 'webhookPublicKey')
    assert.deepEqual(rotated.body().metadata, { tps: 5, region: 'eu' })

    const row = await storedRow(id)
    assert.equal(row.mask, '…7c7c')
    assert.notInclude(row.encrypted_config, newKey)
    assert.deepEqual(await storedCredentials(id), {
      baseUrl: postal.config.baseUrl,
      apiKey: newKey,
      from: 'alerts@example.com',
    })
  })

  test('PATCH validates the merged provider: 422 names the field, nothing changes', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const id = await createProvider(client, headers, postal)
    const before = await storedRow(id)

    const badUrl = await client
      .patch(`/api/v1/providers/${id}`)
      .headers(headers)
      .json({ name: 'Changed', config: { baseUrl: 'not a url' } })
    badUrl.assertStatus(422)
    assert.deepEqual(
      badUrl.body().errors.map((error: { field: string }) => error.field),
      ['config.baseUrl']
    )

    const removedRequired = await client
      .patch(`/api/v1/providers/${id}`)
      .headers(headers)
      .json({ config: { from: null } })
    removedRequired.assertStatus(422)
    assert.equal(removedRequired.body().errors[0].field, 'config.from')

    const wrongChannel = await client
      .patch(`/api/v1/providers/${id}`)
      .headers(headers)
      .json({ channel: 'sms' })
    wrongChannel.assertStatus(422)
    assert.equal(wrongChannel.body().errors[0].field, 'channel')

    assert.deepEqual(await storedRow(id), before)
  })

  test('DELETE removes the provider: 204, then 404', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const id = await createProvider(client, headers, postal)

    const deleted = await client.delete(`/api/v1/providers/${id}`).headers(headers)
    deleted.assertStatus(204)
    assert.isNull(await storedRow(id))

    const shown = await client.get(`/api/v1/providers/${id}`).headers(headers)
    shown.assertStatus(404)
    assert.equal(shown.body().errors[0].code, 'E_NOT_FOUND')
  })
})

test.group('Provider configs: tenants are walled off', (group) => {
  // postal.example.com and its like resolve to a public address, without the network
  withPublicDns(group)

  test("another tenant's provider answers 404 to every route and stays as it was", async ({
    client,
    assert,
  }) => {
    const owner = await createTenant('owner')
    const stranger = await createTenant('stranger')
    const id = await createProvider(client, owner.headers, postal)
    const before = await storedRow(id)

    const replies = [
      await client.get(`/api/v1/providers/${id}`).headers(stranger.headers),
      await client.patch(`/api/v1/providers/${id}`).headers(stranger.headers).json({ name: 'x' }),
      await client.post(`/api/v1/providers/${id}/test`).headers(stranger.headers),
      await client.delete(`/api/v1/providers/${id}`).headers(stranger.headers),
    ]
    for (const reply of replies) {
      reply.assertStatus(404)
      assert.equal(reply.body().errors[0].code, 'E_NOT_FOUND')
    }
    assert.deepEqual(await storedRow(id), before)

    const listed = await client.get('/api/v1/providers').headers(stranger.headers)
    assert.deepEqual(listed.body().providers, [])
  })

  test('a system default (no tenant) is neither listed nor reachable by id', async ({
    client,
    assert,
    cleanup,
  }) => {
    const { headers } = await createTenant()
    const accounts = await app.container.make(ProviderAccounts)
    const systemDefault = await ProviderConfig.create({
      ...accounts.sealNew(null, {}),
      type: GatewayType.Log,
      channel: Channel.Email,
      name: 'System log',
      priority: 0,
      // Disabled: other tests' messages must not route through it
      enabled: false,
      mask: '',
      metadata: {},
    })
    cleanup(() => systemDefault.delete())

    const listed = await client.get('/api/v1/providers').headers(headers)
    assert.deepEqual(listed.body().providers, [])
    const shown = await client.get(`/api/v1/providers/${systemDefault.id}`).headers(headers)
    shown.assertStatus(404)
    const patched = await client
      .patch(`/api/v1/providers/${systemDefault.id}`)
      .headers(headers)
      .json({ enabled: true })
    patched.assertStatus(404)
    const deleted = await client.delete(`/api/v1/providers/${systemDefault.id}`).headers(headers)
    deleted.assertStatus(404)
    await systemDefault.refresh()
    assert.isFalse(systemDefault.enabled)
  })

  test('an id that is not a uuid answers 404', async ({ client }) => {
    const { headers } = await createTenant()
    const response = await client.get('/api/v1/providers/not-a-uuid').headers(headers)
    response.assertStatus(404)
  })

  test('without an API key: 401', async ({ client }) => {
    const response = await client.get('/api/v1/providers')
    response.assertStatus(401)
  })
})
