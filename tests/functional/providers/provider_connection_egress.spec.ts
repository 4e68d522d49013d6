import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { GatewayFactory } from '#messaging/gateways/gateway_factory'
import { INTERNAL_REPLIES, INTERNAL_SECRET, InternalService } from '#tests/helpers/internal_service'
import { createProvider } from '#tests/helpers/providers'
import { createTenant } from '#tests/helpers/tenants'

/** A provider of each SDK-backed type whose tenant-set address is the internal service */
const PROVIDERS = {
  postal: (url: string) => ({
    type: 'postal',
    channel: 'email',
    name: 'Postal',
    config: { baseUrl: url, apiKey: 'postal-key', from: 'sender@example.com' },
  }),
  ses: (url: string) => ({
    type: 'ses',
    channel: 'email',
    name: 'SES',
    config: {
      region: 'us-east-1',
      accessKeyId: 'AKIAEGRESSTEST',
      secretAccessKey: 'ses-secret',
      endpoint: url,
      from: 'sender@example.com',
    },
  }),
  twilio: (url: string) => ({
    type: 'twilio',
    channel: 'sms',
    name: 'Twilio',
    config: {
      accountSid: `AC${'0'.repeat(32)}`,
      authToken: 'twilio-token',
      from: '+15005550006',
      baseUrl: url,
    },
  }),
  fcm: (url: string) => ({
    type: 'fcm',
    channel: 'push',
    name: 'FCM',
    config: {
      projectId: 'egress-test',
      serviceAccount: {
        project_id: 'egress-test',
        client_email: 'fcm@egress-test.iam.test',
        private_key: 'unused with a baseUrl',
      },
      baseUrl: url,
    },
  }),
}

type ProviderType = keyof typeof PROVIDERS
const TYPES = Object.keys(PROVIDERS) as ProviderType[]

test.group('POST /api/v1/providers/:id/test against an internal service', (group) => {
  const internal = new InternalService()

  group.setup(async () => {
    await internal.start()
    return () => internal.stop()
  })
  group.each.setup(() => {
    internal.requests = 0
  })

  test('{type}, loopback allowed, the service answers {reply}: its body never reaches the tenant')
    .with(
      TYPES.flatMap((type) => (['html502', 'text200'] as const).map((reply) => ({ type, reply })))
    )
    .run(async ({ client, assert }, { type, reply }) => {
      internal.reply = INTERNAL_REPLIES[reply]
      const { headers } = await createTenant()
      const id = await createProvider(client, headers, PROVIDERS[type](internal.url))

      const response = await client.post(`/api/v1/providers/${id}/test`).headers(headers)

      response.assertStatus(200)
      assert.isFalse(response.body().ok)
      assert.isAbove(internal.requests, 0)
      assert.notInclude(response.text(), INTERNAL_SECRET)
    })

  test('{type}, no internal range allowed: the service is never called')
    .with(TYPES.map((type) => ({ type })))
    .run(async ({ client, assert }, { type }) => {
      const { headers } = await createTenant()
      // Created while loopback is allowed: the connection test is what is under test
      const id = await createProvider(client, headers, PROVIDERS[type](internal.url))
      const policy = new EgressPolicy([])
      const factory = new GatewayFactory(
        await app.container.make('logger'),
        { appUrl: 'http://127.0.0.1', logGatewayLatencyMs: 0 },
        policy
      )
      app.container.swap(EgressPolicy, () => policy)
      app.container.swap(GatewayFactory, () => factory)
      try {
        const response = await client.post(`/api/v1/providers/${id}/test`).headers(headers)

        response.assertStatus(200)
        assert.isFalse(response.body().ok)
        assert.match(response.body().detail, /^EGRESS_REFUSED: refused by the egress policy: /)
        assert.equal(internal.requests, 0)
        assert.notInclude(response.text(), INTERNAL_SECRET)
      } finally {
        app.container.restoreAll([EgressPolicy, GatewayFactory])
        await factory.close()
      }
    })
})
