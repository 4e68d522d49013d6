import { test } from '@japa/runner'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import type ProviderConfig from '#models/provider_config'
import { TwilioGateway } from '#messaging/vendors/twilio/gateway'
import { TwilioFakeServer } from '#messaging/vendors/twilio/fake'
import { TWILIO_MAGIC_NUMBERS } from '#messaging/vendors/twilio/magic_recipients'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import {
  createProviderConfig,
  markSent,
  messageRow,
  providerEventsOf,
  replay,
  statusOf,
  webhookPath,
} from '#tests/helpers/webhooks'

const ACCOUNT_SID = `AC${'7e57'.repeat(8)}`
const AUTH_TOKEN = 'twilio-webhook-test-token'
const FROM = '+15005550006'

/**
 * The fake Twilio posts its signed status callbacks straight to our endpoint,
 * as Twilio does: the signature covers the URL, which must be the public one
 * (APP_URL) that reaches this test server.
 */
test.group('Twilio status callbacks', (group) => {
  let fake: TwilioFakeServer
  let config: ProviderConfig
  let sender: TestTenant

  group.setup(async () => {
    fake = await new TwilioFakeServer({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      callbacks: true,
    }).start()
    config = await createProviderConfig(GatewayType.Twilio, Channel.Sms, {
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: FROM,
      baseUrl: fake.baseUrl,
    })
    sender = await createTenant('Twilio callbacks')
    return async () => {
      await fake.statusCallbacks.drain()
      await fake.stop()
    }
  })

  /**
   * Accepts an SMS through the API, records it sent (as the worker does before
   * any callback), sends it through the fake Twilio with the status callback
   * URL of `callbackConfig`, and waits for the callbacks to be answered.
   */
  async function sendSms(client: ApiClient, to: string, callbackConfig = config) {
    const created = await client
      .post('/api/v1/messages')
      .headers(sender.headers)
      .json({ channel: 'sms', recipient: to, content: { text: 'Your code is 123456' } })
    const id: string = created.body().id
    await markSent(id, { providerConfigId: callbackConfig.id, gateway: 'twilio' })
    const gateway = new TwilioGateway({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: FROM,
      baseUrl: fake.baseUrl,
      statusCallbackUrl: `${app.config.get<string>('app.appUrl')}${webhookPath('twilio', callbackConfig.id)}`,
      // The fake listens on loopback, which the operator allows here as in the sandbox
      policy: new EgressPolicy(['127.0.0.0/8']),
    })
    const result = await gateway.send({
      channel: Channel.Sms,
      messageId: id,
      tenantId: sender.tenant.id,
      messageType: 'test.message',
      to,
      body: 'Your code is 123456',
      encoding: 'GSM-7',
      segments: 1,
    })
    if (!result.ok) throw new Error(`the fake Twilio refused the send: ${result.message}`)
    const attemptsBefore = fake.statusCallbacks.attempts.length
    await fake.statusCallbacks.drain()
    const answers = fake.statusCallbacks.attempts.slice(attemptsBefore).map((a) => a.status)
    return { id, sid: result.providerMessageId, answers }
  }

  test('sent then delivered moves the message to delivered', async ({ client, assert }) => {
    const { id, sid, answers } = await sendSms(client, TWILIO_MAGIC_NUMBERS.delivered)

    assert.deepEqual(answers, [200, 200])
    assert.equal(await statusOf(id), 'delivered')
    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((event) => [event.type, event.provider_event_id]),
      [
        ['sent', `${sid}:sent`],
        ['delivered', `${sid}:delivered`],
      ]
    )
    assert.equal(events[1].payload.MessageStatus, 'delivered')
  })

  test('undelivered with 30005 fails the message and suppresses the number', async ({
    client,
    assert,
  }) => {
    const { id, answers } = await sendSms(client, TWILIO_MAGIC_NUMBERS.unknownHandset)

    assert.deepEqual(answers, [200, 200])
    const message = await messageRow(id)
    assert.equal(message.status, 'failed')
    assert.equal(message.last_error_code, '30005')
    const suppression = await db
      .from('suppressions')
      .where({
        tenant_id: sender.tenant.id,
        channel: 'sms',
        recipient: TWILIO_MAGIC_NUMBERS.unknownHandset,
      })
      .firstOrFail()
    assert.equal(suppression.reason, 'hard_bounce')
  })

  test('undelivered with 30003 is a soft bounce: logged, not suppressed yet', async ({
    client,
    assert,
  }) => {
    const { id } = await sendSms(client, TWILIO_MAGIC_NUMBERS.unreachable)

    assert.equal(await statusOf(id), 'sent')
    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((event) => event.type),
      ['sent', 'soft_bounced']
    )
  })

  test('failed with 30007 fails the message without suppressing', async ({ client, assert }) => {
    const { id } = await sendSms(client, TWILIO_MAGIC_NUMBERS.filtered)

    assert.equal(await statusOf(id), 'failed')
    const suppressions = await db
      .from('suppressions')
      .where({ tenant_id: sender.tenant.id, recipient: TWILIO_MAGIC_NUMBERS.filtered })
    assert.lengthOf(suppressions, 0)
  })

  test('callbacks signed with another auth token are refused, nothing stored', async ({
    client,
    assert,
  }) => {
    const otherToken = await createProviderConfig(GatewayType.Twilio, Channel.Sms, {
      accountSid: ACCOUNT_SID,
      authToken: 'not-the-token-twilio-signs-with',
      from: FROM,
    })

    const { id, answers } = await sendSms(client, TWILIO_MAGIC_NUMBERS.delivered, otherToken)

    assert.deepEqual(answers, [401, 401])
    assert.equal(await statusOf(id), 'sent')
    assert.lengthOf(await providerEventsOf(id), 0)
  })

  test('a callback without a signature is refused', async ({ client, assert }) => {
    const response = await replay(client, webhookPath('twilio', config.id), {
      body: new URLSearchParams({ MessageSid: 'SM1', MessageStatus: 'delivered' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })

    response.assertStatus(401)
    assert.equal(response.body().errors[0].code, 'E_INVALID_SIGNATURE')
    const stored = await db.from('delivery_events').where('provider_message_id', 'SM1')
    assert.lengthOf(stored, 0)
  })
})
