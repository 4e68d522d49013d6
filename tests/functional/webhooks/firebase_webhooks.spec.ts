import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import type ProviderConfig from '#models/provider_config'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import {
  createProviderConfig,
  createSentMessage,
  messageRow,
  providerEventsOf,
} from '#tests/helpers/webhooks'

const REPORTS = '/api/webhooks/communication/firebase'
const DEVICE_TOKEN = `${'f'.repeat(40)}:APA91b${'x'.repeat(100)}`

test.group('Push client reports (firebase webhook)', (group) => {
  let fcm: ProviderConfig

  group.setup(async () => {
    fcm = await createProviderConfig(GatewayType.Fcm, Channel.Push, { projectId: 'test' })
  })

  /** A push message accepted for `tenant` and recorded sent through FCM. */
  function sentPush(client: ApiClient, tenant: TestTenant) {
    return createSentMessage(
      client,
      tenant.headers,
      { channel: 'push', recipient: DEVICE_TOKEN, subject: 'Hi', content: { text: 'Hello' } },
      {
        providerConfigId: fcm.id,
        gateway: 'fcm',
        providerMessageId: `projects/test/messages/0:${randomUUID()}`,
      }
    )
  }

  test('a delivered then opened report moves the message and records the open', async ({
    client,
    assert,
  }) => {
    const tenant = await createTenant('Push app')
    const id = await sentPush(client, tenant)
    const openedAt = new Date(Date.now() - 5_000)

    const delivered = await client
      .post(REPORTS)
      .headers(tenant.headers)
      .json({ messageId: id, event: 'delivered', reportId: 'r-1' })
    const opened = await client
      .post(REPORTS)
      .headers(tenant.headers)
      .json({ messageId: id, event: 'opened', reportId: 'r-2', occurredAt: openedAt.toISOString() })

    delivered.assertStatus(200)
    opened.assertStatus(200)
    const message = await messageRow(id)
    assert.equal(message.status, 'delivered')
    assert.equal(new Date(message.opened_at).getTime(), openedAt.getTime())
    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((event) => [event.type, event.source, event.provider_event_id]),
      [
        ['delivered', 'fcm', `${id}:r-1`],
        ['opened', 'fcm', `${id}:r-2`],
      ]
    )
  })

  test('a report sent twice counts once', async ({ client, assert }) => {
    const tenant = await createTenant('Push app')
    const id = await sentPush(client, tenant)
    const report = { messageId: id, event: 'clicked', reportId: 'same-report' }

    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await client.post(REPORTS).headers(tenant.headers).json(report)
      response.assertStatus(200)
    }

    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((event) => event.type),
      ['clicked']
    )
    const message = await messageRow(id)
    assert.isNotNull(message.clicked_at)
  })

  test('another tenant’s message answers 404 and records nothing', async ({ client, assert }) => {
    const owner = await createTenant('Owner')
    const intruder = await createTenant('Intruder')
    const id = await sentPush(client, owner)

    const response = await client
      .post(REPORTS)
      .headers(intruder.headers)
      .json({ messageId: id, event: 'opened', reportId: 'r-1' })

    response.assertStatus(404)
    response.assertBody({ errors: [{ code: 'E_NOT_FOUND', message: 'Message not found' }] })
    assert.lengthOf(await providerEventsOf(id), 0)
  })

  test('a report needs the tenant’s API key and a valid body', async ({ client }) => {
    const tenant = await createTenant('Push app')

    const anonymous = await client
      .post(REPORTS)
      .json({ messageId: randomUUID(), event: 'opened', reportId: 'r-1' })
    const invalid = await client
      .post(REPORTS)
      .headers(tenant.headers)
      .json({ messageId: 'not-an-id', event: 'read', reportId: '' })

    anonymous.assertStatus(401)
    invalid.assertStatus(422)
    invalid.assertBodyContains({
      errors: [{ field: 'messageId' }, { field: 'event' }, { field: 'reportId' }],
    })
  })
})
