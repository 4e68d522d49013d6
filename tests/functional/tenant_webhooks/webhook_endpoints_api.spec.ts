import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'
import { queuedDeliveries, registerEndpoint } from '#tests/helpers/tenant_webhooks'
import { WebhookSecrets } from '#messaging/tenant_webhooks/delivery/webhook_secrets'
import app from '@adonisjs/core/services/app'
import type { Group } from '@japa/runner/core'
import { EgressPolicy } from '#messaging/egress/egress_policy'

const SECRET = 'tenant-chosen-secret-7c1d'
const endpoint = {
  url: 'https://hooks.example.com/switchboard',
  eventTypes: ['message.delivered', 'message.bounced'],
}

/** hooks.example.com resolves to a public address, without the network; loopback stays allowed */
function withPublicDns(group: Group) {
  group.each.setup(() => {
    const resolver = async () => [{ address: '93.184.215.14', family: 4 }]
    app.container.swap(EgressPolicy, () => new EgressPolicy(['127.0.0.0/8'], resolver))
    return () => app.container.restore(EgressPolicy)
  })
}

test.group('Tenant webhook endpoints: API', (group) => {
  withPublicDns(group)

  test('create seals the secret and shows it once; the list shows only its mask', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()

    const created = await client
      .post('/api/v1/webhooks')
      .headers(headers)
      .json({ ...endpoint, secret: SECRET })

    created.assertStatus(201)
    assert.containsSubset(created.body(), {
      ...endpoint,
      secret: SECRET,
      secretMask: '…7c1d',
      enabled: true,
      consecutiveFailures: 0,
      disabledAt: null,
    })
    assert.notProperty(created.body(), 'encryptedSecret')

    const row = await db.from('webhook_endpoints').where('id', created.body().id).first()
    assert.equal(row.tenant_id, tenant.id)
    assert.notInclude(row.encrypted_secret, SECRET)
    const secrets = await app.container.make(WebhookSecrets)
    assert.equal(
      secrets.open({ id: row.id, tenantId: row.tenant_id, encryptedSecret: row.encrypted_secret }),
      SECRET
    )

    const list = await client.get('/api/v1/webhooks').headers(headers)
    list.assertStatus(200)
    assert.notInclude(list.text(), SECRET)
    assert.lengthOf(list.body().webhooks, 1)
    assert.containsSubset(list.body().webhooks[0], { ...endpoint, secretMask: '…7c1d' })
    assert.notProperty(list.body().webhooks[0], 'secret')
  })

  test('a secret is generated when none is given', async ({ client, assert }) => {
    const { headers } = await createTenant()

    const created = await registerEndpoint(client, headers, endpoint)

    assert.match(created.secret, /^whsec_[\w-]{43}$/)
    assert.equal(created.secretMask, `…${created.secret.slice(-4)}`)
    const list = await client.get('/api/v1/webhooks').headers(headers)
    assert.notInclude(list.text(), created.secret)
  })

  test('test queues a signed test event for the endpoint', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const created = await registerEndpoint(client, headers, endpoint)

    const response = await client.post(`/api/v1/webhooks/${created.id}/test`).headers(headers)

    response.assertStatus(202)
    const queued = await queuedDeliveries([created.id])
    assert.lengthOf(queued, 1)
    assert.equal(queued[0].event.id, response.body().eventId)
    assert.equal(queued[0].event.type, 'test')
  })

  test('a disabled endpoint cannot be tested', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const created = await registerEndpoint(client, headers, endpoint)
    await db.from('webhook_endpoints').where('id', created.id).update({ enabled: false })

    const response = await client.post(`/api/v1/webhooks/${created.id}/test`).headers(headers)

    response.assertStatus(409)
    assert.equal(response.body().errors[0].code, 'E_ENDPOINT_DISABLED')
    assert.lengthOf(await queuedDeliveries([created.id]), 0)
  })

  test('delete removes the endpoint', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const created = await registerEndpoint(client, headers, endpoint)

    const response = await client.delete(`/api/v1/webhooks/${created.id}`).headers(headers)

    response.assertStatus(204)
    assert.isNull(await db.from('webhook_endpoints').where('id', created.id).first())
    const again = await client.delete(`/api/v1/webhooks/${created.id}`).headers(headers)
    again.assertStatus(404)
  })
})

test.group('Tenant webhook endpoints: validation', (group) => {
  withPublicDns(group)

  const invalid: Array<[string, Record<string, unknown>, string]> = [
    ['plain http off loopback', { ...endpoint, url: 'http://hooks.example.com/in' }, 'url'],
    ['not a URL', { ...endpoint, url: 'hooks' }, 'url'],
    ['another scheme', { ...endpoint, url: 'ftp://hooks.example.com/in' }, 'url'],
    ['no event types', { ...endpoint, eventTypes: [] }, 'eventTypes'],
    ['an unknown event type', { ...endpoint, eventTypes: ['message.sent'] }, 'eventTypes.0'],
    ['the test event type', { ...endpoint, eventTypes: ['test'] }, 'eventTypes.0'],
    [
      'a repeated event type',
      { ...endpoint, eventTypes: ['message.failed', 'message.failed'] },
      'eventTypes',
    ],
    ['a short secret', { ...endpoint, secret: 'short' }, 'secret'],
  ]
  for (const [name, body, field] of invalid) {
    test(`${name} → 422 on ${field}`, async ({ client, assert }) => {
      const { tenant, headers } = await createTenant()

      const response = await client.post('/api/v1/webhooks').headers(headers).json(body)

      response.assertStatus(422)
      assert.includeMembers(
        response.body().errors.map((error: { field: string }) => error.field),
        [field]
      )
      const rows = await db.from('webhook_endpoints').where('tenant_id', tenant.id)
      assert.lengthOf(rows, 0)
    })
  }

  test('plain http to loopback is accepted, for local receivers', async ({ client }) => {
    const { headers } = await createTenant()
    const response = await client
      .post('/api/v1/webhooks')
      .headers(headers)
      .json({ ...endpoint, url: 'http://127.0.0.1:4000/hooks' })
    response.assertStatus(201)
  })
})

test.group('Tenant webhook endpoints: tenant isolation', (group) => {
  withPublicDns(group)

  test("another tenant's endpoint is neither listed, tested nor deleted", async ({
    client,
    assert,
  }) => {
    const owner = await createTenant('Owner')
    const other = await createTenant('Other')
    const created = await registerEndpoint(client, owner.headers, endpoint)

    const list = await client.get('/api/v1/webhooks').headers(other.headers)
    assert.lengthOf(list.body().webhooks, 0)
    const tested = await client.post(`/api/v1/webhooks/${created.id}/test`).headers(other.headers)
    tested.assertStatus(404)
    assert.equal(tested.body().errors[0].code, 'E_NOT_FOUND')
    const deleted = await client.delete(`/api/v1/webhooks/${created.id}`).headers(other.headers)
    deleted.assertStatus(404)
    const malformed = await client.delete('/api/v1/webhooks/not-a-uuid').headers(other.headers)
    malformed.assertStatus(404)

    assert.isNotNull(await db.from('webhook_endpoints').where('id', created.id).first())
    assert.lengthOf(await queuedDeliveries([created.id]), 0)
  })
})
