import { randomBytes, randomUUID, sign } from 'node:crypto'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import type ProviderConfig from '#models/provider_config'
import { TWILIO_CALLBACK_MESSAGE_ID_PARAM } from '#messaging/vendors/twilio/gateway'
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
} from '#messaging/signing/webhook_signature'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import { postalSigningKey } from '#tests/helpers/inbound'
import {
  createProviderConfig,
  createSentMessage,
  createTwilioConfig,
  markSent,
  providerEventsOf,
  replay,
  signedTwilioForm,
  statusOf,
  twilioMessageSid,
  webhookPath,
} from '#tests/helpers/webhooks'

/**
 * A callback's signature proves which provider account it came from. A
 * system-wide account (tenant_id null, as the sandbox's) serves every tenant,
 * so it may only touch messages recorded as sent through it; a tenant's
 * account likewise only the messages it sent.
 */

const TWILIO_NUMBER = '+15005550006'
const RECIPIENT = '+14155550100'

interface TwilioAccount {
  config: ProviderConfig
  authToken: string
}

async function twilioAccount(tenantId: string | null): Promise<TwilioAccount> {
  const authToken = randomBytes(16).toString('hex')
  const config = await createTwilioConfig(authToken, TWILIO_NUMBER, tenantId)
  return { config, authToken }
}

/** A Twilio status callback about our message, signed with the account's token over its URL. */
function twilioDelivered(account: TwilioAccount, messageId: string, sid: string) {
  const path = `${webhookPath('twilio', account.config.id)}?${TWILIO_CALLBACK_MESSAGE_ID_PARAM}=${messageId}`
  const fields = { MessageSid: sid, SmsSid: sid, MessageStatus: 'delivered', To: RECIPIENT }
  return { path, ...signedTwilioForm(path, account.authToken, fields) }
}

/** POST the account's signed delivery callback about our message. */
function replayDelivered(
  client: ApiClient,
  account: TwilioAccount,
  messageId: string,
  sid: string
) {
  const callback = twilioDelivered(account, messageId, sid)
  return replay(client, callback.path, callback)
}

async function acceptedSms(client: ApiClient, owner: TestTenant) {
  const created = await client
    .post('/api/v1/messages')
    .headers(owner.headers)
    .json({ channel: 'sms', recipient: RECIPIENT, content: { text: 'Your code is 123456' } })
  created.assertStatus(201)
  return created.body().id as string
}

/** An SMS of the owner's, accepted and recorded sent through the account under a fresh SID. */
async function smsSentThrough(client: ApiClient, owner: TestTenant, account: TwilioAccount) {
  const sid = twilioMessageSid()
  const id = await acceptedSms(client, owner)
  await markSent(id, {
    providerConfigId: account.config.id,
    gateway: 'twilio',
    providerMessageId: sid,
  })
  return { id, sid }
}

/** A message the worker holds while the provider answers: sending, no account recorded yet. */
async function markSending(id: string) {
  await db.from('messages').where('id', id).update({ status: 'sending' })
}

async function eventsNamingSid(sid: string) {
  return db.from('delivery_events').where('provider_message_id', sid)
}

test.group('Callbacks only touch messages sent through their account', () => {
  test('a system account’s signed callback leaves a message another account sent alone', async ({
    client,
    assert,
  }) => {
    const system = await twilioAccount(null)
    const victim = await createTenant('Sends through its own Twilio')
    const own = await twilioAccount(victim.tenant.id)
    const { id, sid } = await smsSentThrough(client, victim, own)

    const response = await replayDelivered(client, system, id, sid)

    response.assertStatus(200)
    assert.equal(await statusOf(id), 'sent')
    assert.lengthOf(await providerEventsOf(id), 0)
    const [kept] = await eventsNamingSid(sid)
    assert.isNull(kept.message_id, 'logged as about no message of ours')
    assert.isNull(kept.tenant_id, 'and shown to no tenant')
  })

  test('the same callback is applied to a message sent through that system account', async ({
    client,
    assert,
  }) => {
    const system = await twilioAccount(null)
    const owner = await createTenant('Sends through the system default')
    const { id, sid } = await smsSentThrough(client, owner, system)

    const response = await replayDelivered(client, system, id, sid)

    response.assertStatus(200)
    assert.equal(await statusOf(id), 'delivered')
    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((event) => event.type),
      ['delivered']
    )
  })

  test('a tenant’s account does not reach its other account’s messages either', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant('Two Twilio accounts')
    const [first, second] = [
      await twilioAccount(owner.tenant.id),
      await twilioAccount(owner.tenant.id),
    ]
    const { id, sid } = await smsSentThrough(client, owner, first)

    const response = await replayDelivered(client, second, id, sid)

    response.assertStatus(200)
    assert.equal(await statusOf(id), 'sent')
    assert.lengthOf(await providerEventsOf(id), 0)
  })

  test('a callback about a send not yet recorded is answered 503 and written nowhere, then applied', async ({
    client,
    assert,
  }) => {
    const system = await twilioAccount(null)
    const owner = await createTenant('Fast callback')
    const sid = twilioMessageSid()
    const id = await acceptedSms(client, owner)
    await markSending(id)

    const callback = twilioDelivered(system, id, sid)
    const early = await replay(client, callback.path, callback)

    early.assertStatus(503)
    early.assertBody({
      errors: [
        {
          code: 'E_SEND_NOT_YET_RECORDED',
          message: 'The message this callback is about is still being sent: deliver it again later',
        },
      ],
    })
    assert.equal(await statusOf(id), 'sending')
    assert.lengthOf(await eventsNamingSid(sid), 0)

    await markSent(id, {
      providerConfigId: system.config.id,
      gateway: 'twilio',
      providerMessageId: sid,
    })
    const retried = await replay(client, callback.path, callback)
    retried.assertStatus(200)
    assert.equal(await statusOf(id), 'delivered')
  })

  test('a tenant account’s callback about its tenant’s send not yet recorded is applied at once', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant('Fast own provider')
    const own = await twilioAccount(owner.tenant.id)
    const id = await acceptedSms(client, owner)
    await markSending(id)

    const response = await replayDelivered(client, own, id, twilioMessageSid())

    response.assertStatus(200)
    assert.equal(await statusOf(id), 'delivered')

    const stranger = await createTenant('Not the sender')
    const othersId = await acceptedSms(client, stranger)
    await markSending(othersId)
    const refused = await replayDelivered(client, own, othersId, twilioMessageSid())
    refused.assertStatus(200)
    assert.equal(await statusOf(othersId), 'sending', 'another tenant’s message is left alone')
  })

  test('Postal: a system account’s callback naming another account’s provider id is not applied', async ({
    client,
    assert,
  }) => {
    const key = postalSigningKey()
    const system = await createProviderConfig(GatewayType.Postal, Channel.Email, {
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'system-postal',
      from: 'news@example.com',
      webhookPublicKey: key.publicKey,
    })
    const victim = await createTenant('Own Postal')
    const own = await createProviderConfig(
      GatewayType.Postal,
      Channel.Email,
      { baseUrl: 'http://127.0.0.1:9', apiKey: 'own', from: 'news@example.com' },
      victim.tenant.id
    )
    const providerMessageId = `<${randomUUID()}@postal.example>`
    const id = await createSentMessage(
      client,
      victim.headers,
      { channel: 'email', recipient: 'ada@example.com', subject: 'Hi', content: { text: 'Hi' } },
      { providerConfigId: own.id, gateway: 'postal', providerMessageId }
    )
    const timestamp = Date.now() / 1000
    const body = JSON.stringify({
      event: 'MessageBounced',
      timestamp,
      uuid: randomUUID(),
      payload: {
        // No tag: only the provider's message id names the message
        original_message: {
          id: 1,
          token: 't',
          message_id: providerMessageId,
          to: 'ada@example.com',
        },
        bounce: { from: 'MAILER-DAEMON@example.com' },
      },
    })

    const response = await replay(client, webhookPath('postal', system.id), {
      body,
      headers: {
        'content-type': 'application/json',
        'x-postal-signature-256': sign('sha256', Buffer.from(body), key.privateKey).toString(
          'base64'
        ),
      },
    })

    response.assertStatus(200)
    assert.equal(await statusOf(id), 'sent')
    assert.lengthOf(await providerEventsOf(id), 0)
    const suppressed = await db.from('suppressions').where('tenant_id', victim.tenant.id)
    assert.lengthOf(suppressed, 0)
  })

  test('FCM: a system account’s signed report is refused for a push another account sent', async ({
    client,
    assert,
  }) => {
    const secret = randomBytes(24).toString('base64url')
    const system = await createProviderConfig(GatewayType.Fcm, Channel.Push, {
      projectId: 'system',
      reportSecret: secret,
    })
    const victim = await createTenant('Own FCM')
    const own = await createProviderConfig(
      GatewayType.Fcm,
      Channel.Push,
      { projectId: 'own' },
      victim.tenant.id
    )
    const sentThrough = async (config: ProviderConfig) =>
      createSentMessage(
        client,
        victim.headers,
        {
          channel: 'push',
          recipient: `device-${'y'.repeat(40)}`,
          subject: 'Hi',
          content: { text: 'Hello' },
        },
        { providerConfigId: config.id, gateway: 'fcm', providerMessageId: `p/m/${randomUUID()}` }
      )
    const report = (messageId: string) => {
      const body = JSON.stringify({ messageId, event: 'delivered', reportId: randomUUID() })
      const timestamp = Math.floor(Date.now() / 1000)
      return {
        body,
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
          [TIMESTAMP_HEADER]: String(timestamp),
        },
      }
    }
    const othersPush = await sentThrough(own)
    const ownPush = await sentThrough(system)

    const refused = await replay(client, webhookPath('firebase', system.id), report(othersPush))
    const applied = await replay(client, webhookPath('firebase', system.id), report(ownPush))

    refused.assertStatus(404)
    refused.assertBodyContains({ errors: [{ code: 'E_NOT_FOUND' }] })
    assert.equal(await statusOf(othersPush), 'sent')
    assert.lengthOf(await providerEventsOf(othersPush), 0)
    applied.assertStatus(200)
    assert.equal(await statusOf(ownPush), 'delivered')
  })
})
