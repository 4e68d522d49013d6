import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { EgressPolicy, type EgressResolver } from '#messaging/egress/egress_policy'
import { ADDRESSED_PROVIDER_TYPES, ADDRESS_FIELDS, tenantProviderAt } from '#tests/helpers/egress'
import { withInternalService } from '#tests/helpers/internal_service'
import { createProvider } from '#tests/helpers/providers'
import { createTenant } from '#tests/helpers/tenants'

/** gateway.example.com is public; every other name resolves to loopback (as localhost does) */
const resolver: EgressResolver = async (hostname) => [
  { address: hostname === 'gateway.example.com' ? '93.184.216.34' : '127.0.0.1', family: 4 },
]

test.group('Egress at accept time: tenant-set addresses', (group) => {
  const internal = withInternalService(group)

  group.each.setup(() => {
    // Production's setting: no internal range allowed
    app.container.swap(EgressPolicy, () => new EgressPolicy([], resolver))
    return () => app.container.restore(EgressPolicy)
  })

  test('a {type} provider whose address is {url} is refused with 422 on its field')
    .with(
      ADDRESSED_PROVIDER_TYPES.flatMap((type) =>
        [
          { url: 'http://127.0.0.1:{port}', reason: /127\.0\.0\.1 is a loopback address/ },
          { url: 'http://localhost:{port}', reason: /localhost resolves to 127\.0\.0\.1/ },
          { url: 'http://[::1]:{port}', reason: /::1 is a loopback address/ },
          { url: 'http://169.254.169.254/latest', reason: /a link-local address/ },
          { url: 'https://10.1.2.3', reason: /10\.1\.2\.3 is a private address/ },
        ].map((row) => ({ ...row, type, field: ADDRESS_FIELDS[type] }))
      )
    )
    .run(async ({ client, assert }, { url, reason, type, field }) => {
      const { tenant, headers } = await createTenant()

      const response = await client
        .post('/api/v1/providers')
        .headers(headers)
        .json(tenantProviderAt(type, url.replace('{port}', String(internal.port))))

      response.assertStatus(422)
      const [error] = response.body().errors
      assert.equal(error.code, 'E_VALIDATION')
      assert.equal(error.field, field)
      assert.match(error.message, reason)
      assert.lengthOf(await db.from('provider_configs').where('tenant_id', tenant.id), 0)
      assert.equal(internal.requests, 0)
    })

  test('a PATCH moving a provider onto an internal address is refused, the stored one kept', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const id = await createProvider(
      client,
      headers,
      tenantProviderAt('postal', 'https://gateway.example.com')
    )

    const response = await client
      .patch(`/api/v1/providers/${id}`)
      .headers(headers)
      .json({ config: { baseUrl: `http://[::ffff:127.0.0.1]:${internal.port}` } })

    response.assertStatus(422)
    assert.containsSubset(response.body().errors, [
      { code: 'E_VALIDATION', field: 'config.baseUrl' },
    ])
    assert.match(response.body().errors[0].message, /::ffff:7f00:1 is a loopback address/)
    const stored = await client.get(`/api/v1/providers/${id}`).headers(headers)
    assert.equal(stored.body().config.baseUrl, 'https://gateway.example.com')
  })

  test('a tenant webhook endpoint on {$self} is refused with 422 on url')
    .with([
      'http://localhost:{port}/hook',
      'http://127.0.0.1:{port}/hook',
      'https://[::1]/hook',
      'https://100.64.0.9/hook',
    ])
    .run(async ({ client, assert }, url) => {
      const { tenant, headers } = await createTenant()

      const response = await client
        .post('/api/v1/webhooks')
        .headers(headers)
        .json({
          url: url.replace('{port}', String(internal.port)),
          eventTypes: ['message.delivered'],
        })

      response.assertStatus(422)
      assert.containsSubset(response.body().errors, [{ code: 'E_VALIDATION', field: 'url' }])
      assert.match(response.body().errors[0].message, /^The url may not be called: /)
      assert.lengthOf(await db.from('webhook_endpoints').where('tenant_id', tenant.id), 0)
      assert.equal(internal.requests, 0)
    })

  test('a public address is accepted', async ({ client }) => {
    const { headers } = await createTenant()

    const provider = await client
      .post('/api/v1/providers')
      .headers(headers)
      .json(tenantProviderAt('postal', 'https://gateway.example.com'))
    const endpoint = await client
      .post('/api/v1/webhooks')
      .headers(headers)
      .json({ url: 'https://gateway.example.com/hook', eventTypes: ['message.delivered'] })

    provider.assertStatus(201)
    endpoint.assertStatus(201)
  })
})
