import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import type ProviderConfig from '#models/provider_config'
import env from '#start/env'
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
} from '#messaging/signing/webhook_signature'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import {
  createProviderConfig,
  createSentMessage,
  messageRow,
  providerEventsOf,
  webhookPath,
} from '#tests/helpers/webhooks'

const REPORTS = '/api/webhooks/communication/firebase'
const baseUrl = `http://${env.get('HOST')}:${env.get('PORT')}`
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

test.group('Push client reports signed with the FCM account’s report secret', (group) => {
  const secret = 'push-report-secret-for-tests'
  let fcm: ProviderConfig

  group.setup(async () => {
    fcm = await createProviderConfig(GatewayType.Fcm, Channel.Push, {
      projectId: 'test',
      reportSecret: secret,
    })
  })

  async function sentPush(client: ApiClient) {
    const tenant = await createTenant('Signed push app')
    return createSentMessage(
      client,
      tenant.headers,
      { channel: 'push', recipient: DEVICE_TOKEN, subject: 'Hi', content: { text: 'Hello' } },
      { providerConfigId: fcm.id, gateway: 'fcm', providerMessageId: `p/m/${randomUUID()}` }
    )
  }

  function signed(body: string, key = secret, timestamp = Math.floor(Date.now() / 1000)) {
    return {
      'content-type': 'application/json',
      [SIGNATURE_HEADER]: signWebhook(key, timestamp, body),
      [TIMESTAMP_HEADER]: String(timestamp),
    }
  }

  test('a correctly signed report is applied', async ({ client, assert }) => {
    const id = await sentPush(client)
    const body = JSON.stringify({ messageId: id, event: 'delivered', reportId: 'd-1' })

    const response = await fetch(`${baseUrl}${webhookPath('firebase', fcm.id)}`, {
      method: 'POST',
      headers: signed(body),
      body,
    })

    assert.equal(response.status, 200)
    const message = await messageRow(id)
    assert.equal(message.status, 'delivered')
  })

  test('{name} → 401 and nothing stored')
    .with([
      { name: 'a wrong secret', key: 'another-secret-entirely', age: 0, tamper: false },
      { name: 'a tampered body', key: secret, age: 0, tamper: true },
      { name: 'a stale timestamp', key: secret, age: 3600, tamper: false },
    ])
    .run(async ({ client, assert }, { key, age, tamper }) => {
      const id = await sentPush(client)
      const body = JSON.stringify({ messageId: id, event: 'delivered', reportId: 'd-1' })
      const headers = signed(body, key, Math.floor(Date.now() / 1000) - age)
      const sent = tamper ? body.replace('delivered', 'clicked') : body

      const response = await fetch(`${baseUrl}${webhookPath('firebase', fcm.id)}`, {
        method: 'POST',
        headers,
        body: sent,
      })

      assert.equal(response.status, 401)
      assert.lengthOf(await providerEventsOf(id), 0)
      const message = await messageRow(id)
      assert.equal(message.status, 'sent')
    })
})
