import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { GatewayFactory } from '#messaging/vendors/gateway_factory'
import { ADDRESSED_PROVIDER_TYPES, tenantProviderAt } from '#tests/helpers/egress'
import {
  INTERNAL_REPLIES,
  INTERNAL_SECRET,
  withInternalService,
} from '#tests/helpers/internal_service'
import { createProvider } from '#tests/helpers/providers'
import { createTenant } from '#tests/helpers/tenants'

test.group('POST /api/v1/providers/:id/test against an internal service', (group) => {
  const internal = withInternalService(group)

  test('{type}, loopback allowed, the service answers {reply}: its body never reaches the tenant')
    .with(
      ADDRESSED_PROVIDER_TYPES.flatMap((type) =>
        (['html502', 'text200'] as const).map((reply) => ({ type, reply }))
      )
    )
    .run(async ({ client, assert }, { type, reply }) => {
      internal.reply = INTERNAL_REPLIES[reply]
      const { headers } = await createTenant()
      const id = await createProvider(client, headers, tenantProviderAt(type, internal.url))

      const response = await client.post(`/api/v1/providers/${id}/test`).headers(headers)

      response.assertStatus(200)
      assert.isFalse(response.body().ok)
      assert.isAbove(internal.requests, 0)
      assert.notInclude(response.text(), INTERNAL_SECRET)
    })

  test('{type}, no internal range allowed: the service is never called')
    .with(ADDRESSED_PROVIDER_TYPES.map((type) => ({ type })))
    .run(async ({ client, assert }, { type }) => {
      const { headers } = await createTenant()
      // Created while loopback is allowed: the connection test is what is under test
      const id = await createProvider(client, headers, tenantProviderAt(type, internal.url))
      const policy = new EgressPolicy([])
      const factory = await GatewayFactory.load(
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
