import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'
import {
  createSentSms,
  queuedDeliveries,
  registerEndpoint,
  reportDelivered,
} from '#tests/helpers/tenant_webhooks'

const receiver = 'https://hooks.example.com/switchboard'

test.group('Tenant webhooks: domain events fan out to subscribed endpoints', () => {
  test('a delivered message queues one job per enabled endpoint subscribed to it', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const other = await createTenant('Other')
    const subscribed = await registerEndpoint(client, headers, {
      url: receiver,
      eventTypes: ['message.delivered', 'message.failed'],
    })
    const alsoSubscribed = await registerEndpoint(client, headers, {
      url: `${receiver}/2`,
      eventTypes: ['message.delivered'],
    })
    const notSubscribed = await registerEndpoint(client, headers, {
      url: receiver,
      eventTypes: ['message.bounced'],
    })
    const disabled = await registerEndpoint(client, headers, {
      url: receiver,
      eventTypes: ['message.delivered'],
    })
    await db.from('webhook_endpoints').where('id', disabled.id).update({ enabled: false })
    const othersEndpoint = await registerEndpoint(client, other.headers, {
      url: receiver,
      eventTypes: ['message.delivered'],
    })
    const messageId = await createSentSms(client, headers)

    const applied = await reportDelivered(messageId, tenant.id)

    assert.equal(applied.outcome, 'applied')
    const queued = await queuedDeliveries([
      subscribed.id,
      alsoSubscribed.id,
      notSubscribed.id,
      disabled.id,
      othersEndpoint.id,
    ])
    assert.sameMembers(
      queued.map((payload) => payload.endpointId),
      [subscribed.id, alsoSubscribed.id]
    )
    // One event, one id: the same Idempotency-Key reaches both endpoints
    assert.equal(queued[0].event.id, queued[1].event.id)
    assert.containsSubset(queued[0].event, {
      type: 'message.delivered',
      data: { messageId, tenantId: tenant.id, status: 'delivered', source: 'postal' },
    })
  })
})
