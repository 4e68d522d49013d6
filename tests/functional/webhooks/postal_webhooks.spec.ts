import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { test } from '@japa/runner'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import db from '@adonisjs/lucid/services/db'
import emitter from '@adonisjs/core/services/emitter'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import type ProviderConfig from '#models/provider_config'
import { PostalGateway } from '#messaging/vendors/postal/gateway'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { POSTAL_MAGIC_RECIPIENTS } from '#messaging/vendors/postal/magic_recipients'
import { CallbackReceiver, type ReceivedCallback } from '#tests/helpers/callback_receiver'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import { postalSigningKey } from '#tests/helpers/inbound'
import {
  createProviderConfig,
  markSent,
  messageRow,
  statusOf,
  providerEventsOf,
  replay,
  webhookPath,
} from '#tests/helpers/webhooks'

const API_KEY = 'postal-webhook-test-key'
const FROM = 'noreply@mail.switchboard.test'

function signedWith(callback: ReceivedCallback) {
  return { body: callback.rawBody, headers: callback.headers }
}

function tagOf(callback: ReceivedCallback) {
  const { payload } = JSON.parse(callback.rawBody)
  return (payload.message ?? payload.original_message)?.tag
}

test.group('Postal webhooks', (group) => {
  let fake: PostalFakeServer
  let receiver: CallbackReceiver
  let gateway: PostalGateway
  let config: ProviderConfig
  let sender: TestTenant

  group.setup(async () => {
    receiver = await new CallbackReceiver().start()
    fake = await new PostalFakeServer({ apiKey: API_KEY, callbacks: { url: receiver.url } }).start()
    gateway = new PostalGateway({
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      from: FROM,
      // The fake listens on loopback, which the operator allows here as in the sandbox
      policy: new EgressPolicy(['127.0.0.0/8']),
    })
    config = await createProviderConfig(GatewayType.Postal, Channel.Email, {
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      from: FROM,
      webhookPublicKey: fake.webhookPublicKey,
    })
    sender = await createTenant('Postal webhooks')
    return async () => {
      await fake.stop()
      await receiver.stop()
    }
  })

  /**
   * A message accepted by the API, sent through the fake Postal and recorded
   * sent; resolves with the signed webhooks Postal produced for it (captured,
   * so a test decides when and how often they reach us).
   */
  async function sentThroughPostal(client: ApiClient, recipient: string, webhooks: number) {
    const created = await client
      .post('/api/v1/messages')
      .headers(sender.headers)
      .json({ channel: 'email', recipient, subject: 'Hello', content: { text: 'Hi' } })
    const id: string = created.body().id
    const result = await gateway.send({
      channel: Channel.Email,
      messageId: id,
      tenantId: sender.tenant.id,
      messageType: 'test.message',
      to: recipient,
      subject: 'Hello',
      html: null,
      text: 'Hi',
      replyTo: null,
      headers: {},
      tags: { switchboard_message_id: id },
    })
    if (!result.ok) throw new Error(`the fake Postal refused the send: ${result.message}`)
    await markSent(id, {
      providerConfigId: config.id,
      gateway: 'postal',
      providerMessageId: result.providerMessageId,
    })
    const callbacks = await receiver.waitFor((callback) => tagOf(callback) === id, webhooks)
    return { id, callbacks }
  }

  test('a signed MessageSent marks the message delivered and logs the raw payload', async ({
    client,
    assert,
  }) => {
    const { id, callbacks } = await sentThroughPostal(client, 'ada@example.com', 1)

    const response = await replay(
      client,
      webhookPath('postal', config.id),
      signedWith(callbacks[0])
    )

    response.assertStatus(200)
    const message = await messageRow(id)
    assert.equal(message.status, 'delivered')
    assert.isNotNull(message.delivered_at)
    const [event] = await providerEventsOf(id)
    assert.equal(event.type, 'delivered')
    assert.equal(event.source, 'postal')
    assert.equal(event.provider_event_id, JSON.parse(callbacks[0].rawBody).uuid)
    assert.equal(event.payload.event, 'MessageSent')
    assert.equal(event.details.providerConfigId, config.id)
  })

  test('the same webhook delivered 5 times at once is logged once', async ({ client, assert }) => {
    const { id, callbacks } = await sentThroughPostal(client, 'grace@example.com', 1)

    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        replay(client, webhookPath('postal', config.id), signedWith(callbacks[0]))
      )
    )

    assert.deepEqual(
      responses.map((response) => response.status()),
      [200, 200, 200, 200, 200]
    )
    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((event) => event.type),
      ['delivered']
    )
  })

  test('a bounce after delivery fails the message and suppresses the recipient', async ({
    client,
    assert,
  }) => {
    const recipient = POSTAL_MAGIC_RECIPIENTS.bounce
    const { id, callbacks } = await sentThroughPostal(client, recipient, 2)

    for (const callback of callbacks) {
      const response = await replay(client, webhookPath('postal', config.id), signedWith(callback))
      response.assertStatus(200)
    }

    const message = await messageRow(id)
    assert.equal(message.status, 'failed')
    assert.isNotNull(message.delivered_at)
    assert.isNotNull(message.failed_at)
    assert.equal(message.last_error_code, 'MessageBounced')
    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((event) => event.type),
      ['delivered', 'bounced']
    )
    const suppression = await db
      .from('suppressions')
      .where({ tenant_id: sender.tenant.id, channel: 'email', recipient })
      .firstOrFail()
    assert.equal(suppression.reason, 'hard_bounce')
    assert.equal(suppression.source, 'postal')
  })

  test('the tracker announces delivery, bounce and failure as domain events', async ({
    client,
    assert,
    cleanup,
  }) => {
    const recipient = POSTAL_MAGIC_RECIPIENTS.bounce
    const { id, callbacks } = await sentThroughPostal(client, recipient, 2)
    const events = emitter.fake()
    cleanup(() => emitter.restore())

    for (const callback of callbacks) {
      await replay(client, webhookPath('postal', config.id), signedWith(callback))
    }

    const about = (event: { data: { messageId: string } }) => event.data.messageId === id
    events.assertEmitted('message:delivered', about)
    events.assertEmitted('message:bounced', ({ data }) => {
      return data.messageId === id && data.permanent && data.recipient === recipient
    })
    events.assertEmitted('message:failed', ({ data }) => {
      return data.messageId === id && data.tenantId === sender.tenant.id
    })
    assert.lengthOf(
      events.all().filter((event) => event.event === 'message:failed'),
      1
    )
  })

  test('MessageDelayed (Postal retrying) is logged and moves nothing', async ({
    client,
    assert,
  }) => {
    const { id, callbacks } = await sentThroughPostal(client, POSTAL_MAGIC_RECIPIENTS.softFail, 1)

    const response = await replay(
      client,
      webhookPath('postal', config.id),
      signedWith(callbacks[0])
    )

    response.assertStatus(200)
    assert.equal(await statusOf(id), 'sent')
    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((event) => [event.type, event.details.code]),
      [['deferred', 'SoftFail']]
    )
    const suppressed = await db
      .from('suppressions')
      .where('recipient', POSTAL_MAGIC_RECIPIENTS.softFail)
    assert.lengthOf(suppressed, 0)
  })

  test('the SHA-1 signature alone is accepted', async ({ client, assert }) => {
    const { id, callbacks } = await sentThroughPostal(client, 'linus@example.com', 1)
    const response = await replay(client, webhookPath('postal', config.id), {
      body: callbacks[0].rawBody,
      headers: { ...callbacks[0].headers, 'x-postal-signature-256': undefined },
    })

    response.assertStatus(200)
    assert.equal(await statusOf(id), 'delivered')
  })

  test('refused with 401, nothing stored: {case}')
    .with([
      {
        case: 'tampered body',
        change: (callback: ReceivedCallback) => ({
          body: callback.rawBody.replace('MessageSent', 'MessageBounced'),
          headers: callback.headers,
        }),
      },
      {
        case: 'missing signature',
        change: (callback: ReceivedCallback) => ({
          body: callback.rawBody,
          headers: { 'content-type': 'application/json' },
        }),
      },
      {
        case: 'a valid SHA-1 signature next to a bad SHA-256 one',
        change: (callback: ReceivedCallback) => ({
          body: callback.rawBody,
          headers: { ...callback.headers, 'x-postal-signature-256': 'AAAA' },
        }),
      },
    ])
    .run(async ({ client, assert }, { change }) => {
      const { id, callbacks } = await sentThroughPostal(client, 'mallory@example.com', 1)

      const response = await replay(client, webhookPath('postal', config.id), change(callbacks[0]))

      response.assertStatus(401)
      assert.equal(response.body().errors[0].code, 'E_INVALID_SIGNATURE')
      assert.equal(await statusOf(id), 'sent')
      assert.lengthOf(await providerEventsOf(id), 0)
    })

  test('a webhook signed with another server’s key is refused', async ({ client, assert }) => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const otherKey = publicKey.export({ type: 'spki', format: 'der' }).toString('base64')
    const otherConfig = await createProviderConfig(GatewayType.Postal, Channel.Email, {
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      from: FROM,
      webhookPublicKey: otherKey,
    })
    const { id, callbacks } = await sentThroughPostal(client, 'eve@example.com', 1)

    const response = await replay(
      client,
      webhookPath('postal', otherConfig.id),
      signedWith(callbacks[0])
    )

    response.assertStatus(401)
    assert.lengthOf(await providerEventsOf(id), 0)
  })

  test('an event for a message we do not know is kept as an orphan and answered 200', async ({
    client,
    assert,
  }) => {
    // Sent through the same Postal server by something that is not us
    const strangerId = randomUUID()
    const sent = await gateway.send({
      channel: Channel.Email,
      messageId: strangerId,
      tenantId: sender.tenant.id,
      messageType: 'test.message',
      to: 'stranger@example.com',
      subject: 'Hello',
      html: null,
      text: 'Hi',
      replyTo: null,
      headers: {},
      tags: { switchboard_message_id: strangerId },
    })
    assert.isTrue(sent.ok)
    const [callback] = await receiver.waitFor((received) => tagOf(received) === strangerId, 1)

    const response = await replay(client, webhookPath('postal', config.id), signedWith(callback))

    response.assertStatus(200)
    const orphan = await db
      .from('delivery_events')
      .where({ source: 'postal', provider_event_id: JSON.parse(callback.rawBody).uuid })
      .firstOrFail()
    assert.isNull(orphan.message_id)
    assert.equal(orphan.provider_message_id, sent.ok && sent.providerMessageId)
  })

  test('an unknown provider id or one of another type answers 404', async ({ client }) => {
    const twilio = await createProviderConfig(GatewayType.Twilio, Channel.Sms, {
      accountSid: `AC${'0'.repeat(32)}`,
      authToken: 'token',
    })
    const body = { body: '{}', headers: { 'content-type': 'application/json' } }

    const unknown = await replay(
      client,
      webhookPath('postal', '00000000-0000-4000-8000-000000000000'),
      body
    )
    const otherType = await replay(client, webhookPath('postal', twilio.id), body)
    const notAnId = await replay(client, '/api/webhooks/communication/postal/42', body)

    unknown.assertStatus(404)
    unknown.assertBody({ errors: [{ code: 'E_NOT_FOUND', message: 'Provider not found' }] })
    otherType.assertStatus(404)
    notAnId.assertStatus(404)
  })

  test('a malformed JSON body: 401 unsigned (nothing is parsed before the signature), 400 signed', async ({
    client,
  }) => {
    const { privateKey, publicKey } = postalSigningKey()
    const signer = await createProviderConfig(GatewayType.Postal, Channel.Email, {
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      from: FROM,
      webhookPublicKey: publicKey,
    })
    const body = '{"event": "MessageSent",'

    const unsigned = await replay(client, webhookPath('postal', signer.id), {
      body,
      headers: { 'content-type': 'application/json' },
    })
    const signed = await replay(client, webhookPath('postal', signer.id), {
      body,
      headers: {
        'content-type': 'application/json',
        'x-postal-signature-256': sign('sha256', Buffer.from(body), privateKey).toString('base64'),
      },
    })

    unsigned.assertStatus(401)
    signed.assertStatus(400)
    signed.assertBody({
      errors: [{ code: 'E_MALFORMED_WEBHOOK', message: 'A Postal webhook body must be JSON' }],
    })
  })
})
