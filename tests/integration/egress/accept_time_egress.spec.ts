import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { EgressPolicy, type EgressResolver } from '#messaging/egress/egress_policy'
import { InternalService } from '#tests/helpers/internal_service'
import { createProvider } from '#tests/helpers/providers'
import { createTenant } from '#tests/helpers/tenants'

/** gateway.example.com is public; every other name resolves to loopback (as localhost does) */
const resolver: EgressResolver = async (hostname) => [
  { address: hostname === 'gateway.example.com' ? '93.184.216.34' : '127.0.0.1', family: 4 },
]

/** Each provider type with its tenant-set address field set to `url` */
const PROVIDERS = [
  {
    field: 'config.baseUrl',
    body: (url: string) => ({
      type: 'postal',
      channel: 'email',
      name: 'Postal',
      config: { baseUrl: url, apiKey: 'postal-key', from: 'ada@example.com' },
    }),
  },
  {
    field: 'config.endpoint',
    body: (url: string) => ({
      type: 'ses',
      channel: 'email',
      name: 'SES',
      config: {
        region: 'eu-west-1',
        accessKeyId: 'AKIAEGRESS',
        secretAccessKey: 'ses-secret',
        endpoint: url,
        from: 'ada@example.com',
      },
    }),
  },
  {
    field: 'config.baseUrl',
    body: (url: string) => ({
      type: 'twilio',
      channel: 'sms',
      name: 'Twilio',
      config: {
        accountSid: `AC${'1'.repeat(32)}`,
        authToken: 'twilio-token',
        from: '+15005550006',
        baseUrl: url,
      },
    }),
  },
  {
    field: 'config.baseUrl',
    body: (url: string) => ({
      type: 'fcm',
      channel: 'push',
      name: 'FCM',
      config: {
        projectId: 'egress',
        serviceAccount: {
          project_id: 'egress',
          client_email: 'fcm@egress.iam.test',
          private_key: 'unused',
        },
        baseUrl: url,
      },
    }),
  },
]

test.group('Egress at accept time: tenant-set addresses', (group) => {
  const internal = new InternalService()

  group.setup(async () => {
    await internal.start()
    return () => internal.stop()
  })
  group.each.setup(() => {
    internal.requests = 0
    // Production's setting: no internal range allowed
    app.container.swap(EgressPolicy, () => new EgressPolicy([], resolver))
    return () => app.container.restore(EgressPolicy)
  })

  test('a {type} provider whose address is {url} is refused with 422 on its field')
    .with(
      PROVIDERS.flatMap(({ field, body }) =>
        [
          { url: 'http://127.0.0.1:{port}', reason: /127\.0\.0\.1 is a loopback address/ },
          { url: 'http://localhost:{port}', reason: /localhost resolves to 127\.0\.0\.1/ },
          { url: 'http://[::1]:{port}', reason: /::1 is a loopback address/ },
          { url: 'http://169.254.169.254/latest', reason: /a link-local address/ },
          { url: 'https://10.1.2.3', reason: /10\.1\.2\.3 is a private address/ },
        ].map((row) => ({ ...row, field, body, type: body('').type }))
      )
    )
    .run(async ({ client, assert }, { url, reason, field, body }) => {
      const { tenant, headers } = await createTenant()

      const response = await client
        .post('/api/v1/providers')
        .headers(headers)
        .json(body(url.replace('{port}', String(internal.port))))

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
      PROVIDERS[0].body('https://gateway.example.com')
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
      .json(PROVIDERS[0].body('https://gateway.example.com'))
    const endpoint = await client
      .post('/api/v1/webhooks')
      .headers(headers)
      .json({ url: 'https://gateway.example.com/hook', eventTypes: ['message.delivered'] })

    provider.assertStatus(201)
    endpoint.assertStatus(201)
  })
})
