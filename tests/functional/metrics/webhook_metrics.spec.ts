import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import emitter from '@adonisjs/core/services/emitter'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { MetricsScrape } from '#tests/helpers/metrics'
import { createTenant } from '#tests/helpers/tenants'
import { createProviderConfig, createSentMessage, webhookPath } from '#tests/helpers/webhooks'

const REPORTS = '/api/webhooks/communication/firebase'
const DEVICE_TOKEN = `${'e'.repeat(40)}:APA91b${'y'.repeat(100)}`
const REQUESTS = 'switchboard_webhook_requests_total'
const EVENTS = 'switchboard_webhook_events_total'
const DELIVERY = 'switchboard_delivery_events_total'

test.group('/metrics: webhooks, provider reports and deferrals', () => {
  test('webhook requests by result, the events they carried, and what providers reported', async ({
    client,
    assert,
  }) => {
    const fcm = await createProviderConfig(GatewayType.Fcm, Channel.Push, { projectId: 'test' })
    const tenant = await createTenant('Push app')
    const id = await createSentMessage(
      client,
      tenant.headers,
      { channel: 'push', recipient: DEVICE_TOKEN, subject: 'Hi', content: { text: 'Hello' } },
      { providerConfigId: fcm.id, gateway: `fcm:${fcm.id}`, providerMessageId: randomUUID() }
    )
    const before = await MetricsScrape.take(client)
    const report = (body: Record<string, unknown>, headers = tenant.headers) =>
      client.post(REPORTS).headers(headers).json(body)

    const delivered = await report({ messageId: id, event: 'delivered', reportId: 'r-1' })
    const opened = await report({ messageId: id, event: 'opened', reportId: 'r-2' })
    const again = await report({ messageId: id, event: 'delivered', reportId: 'r-1' })
    const unsigned = await client
      .post(webhookPath('firebase', fcm.id))
      .json({ messageId: id, event: 'clicked', reportId: 'r-3' })
    const withoutKey = await report({ messageId: id, event: 'clicked', reportId: 'r-4' }, {})
    const malformed = await report({ messageId: 'not-a-uuid', event: 'delivered', reportId: 'r-5' })

    for (const response of [delivered, opened, again]) response.assertStatus(200)
    unsigned.assertStatus(401)
    withoutKey.assertStatus(401)
    malformed.assertStatus(422)
    const after = await MetricsScrape.take(client)
    const change = (name: string, labels: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels)

    assert.equal(change(REQUESTS, { provider: 'firebase', result: 'accepted' }), 3)
    assert.equal(change(REQUESTS, { provider: 'firebase', result: 'rejected' }), 3)
    assert.equal(change(REQUESTS, { provider: 'firebase', result: 'error' }), 0)
    assert.equal(change(EVENTS, { provider: 'fcm', result: 'applied' }), 2)
    assert.equal(change(EVENTS, { provider: 'fcm', result: 'duplicate' }), 1)
    assert.equal(change(DELIVERY, { event: 'delivered', provider: 'fcm' }), 1)
    assert.equal(change(DELIVERY, { event: 'opened', provider: 'fcm' }), 1)
    assert.equal(change(DELIVERY, { event: 'clicked', provider: 'fcm' }), 0)
  })

  test('a rate-limit deferral counts by scope and channel', async ({ client, assert }) => {
    const before = await MetricsScrape.take(client)

    await emitter.emit('message:throttled', {
      messageId: randomUUID(),
      tenantId: randomUUID(),
      channel: Channel.Email,
      scope: 'domain',
      key: 'gmail.com',
      retryAt: new Date(Date.now() + 1000),
      occurredAt: new Date(),
    })

    const after = await MetricsScrape.take(client)
    const labels = { scope: 'domain', channel: 'email' }
    const deferrals = 'switchboard_rate_limit_deferrals_total'
    assert.equal(after.value(deferrals, labels) - before.value(deferrals, labels), 1)
  })
})
