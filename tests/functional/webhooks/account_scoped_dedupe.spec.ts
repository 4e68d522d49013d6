import { randomUUID, sign } from 'node:crypto'
import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import type ProviderConfig from '#models/provider_config'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import { inboundMessagesOf, postalSigningKey, postTwilioInbound } from '#tests/helpers/inbound'
import {
  createProviderConfig,
  createSentMessage,
  createTwilioConfig,
  providerEventsOf,
  replay,
  signedTwilioForm,
  statusOf,
  twilioMessageSid,
  webhookPath,
} from '#tests/helpers/webhooks'

/**
 * Two provider accounts whose vendor ids collide (two self-hosted gateways,
 * or one restarted with a fresh counter): each account's callbacks are its
 * own, and only a true retry, on the same account, is dropped.
 */

const TWILIO_NUMBER = '+15005550006'

interface Account {
  owner: TestTenant
  config: ProviderConfig
}

/** A Postal server's signed webhook: the same bytes on every retry. */
function postalCallback(
  privateKey: ReturnType<typeof postalSigningKey>['privateKey'],
  fields: { uuid: string; messageId: string; providerMessageId: string }
) {
  const timestamp = Date.now() / 1000
  const body = JSON.stringify({
    event: 'MessageSent',
    timestamp,
    uuid: fields.uuid,
    payload: {
      message: {
        id: 1,
        token: 'collide',
        message_id: fields.providerMessageId,
        to: 'ada@example.com',
        from: 'news@example.com',
        subject: 'Hello',
        tag: fields.messageId,
      },
      status: 'Sent',
      details: 'Message for ada@example.com accepted',
      output: '250 OK',
      sent_with_ssl: true,
      timestamp,
      time: 0.1,
    },
  })
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-postal-signature-256': sign('sha256', Buffer.from(body), privateKey).toString('base64'),
    },
  }
}

/** A Twilio status callback, signed over the public URL as Twilio signs it. */
function twilioCallback(config: ProviderConfig, authToken: string, fields: Record<string, string>) {
  return signedTwilioForm(webhookPath('twilio', config.id), authToken, fields)
}

async function sentEmail(client: ApiClient, account: Account, providerMessageId: string) {
  return createSentMessage(
    client,
    account.owner.headers,
    { channel: 'email', recipient: 'ada@example.com', subject: 'Hello', content: { text: 'Hi' } },
    { providerConfigId: account.config.id, gateway: 'postal', providerMessageId }
  )
}

async function sentSms(client: ApiClient, account: Account, providerMessageId: string) {
  return createSentMessage(
    client,
    account.owner.headers,
    { channel: 'sms', recipient: '+14155550100', content: { text: 'Your code is 123456' } },
    { providerConfigId: account.config.id, gateway: 'twilio', providerMessageId }
  )
}

test.group('Webhook de-duplication is per provider account', () => {
  test('Postal: the same event uuid on another account is applied, a retry on one account is not', async ({
    client,
    assert,
  }) => {
    const keys = [postalSigningKey(), postalSigningKey()]
    const [first, second] = await Promise.all(
      keys.map(async (key, index) => {
        const owner = await createTenant(`Postal account ${index}`)
        const config = await createProviderConfig(
          GatewayType.Postal,
          Channel.Email,
          {
            baseUrl: 'http://127.0.0.1:9',
            apiKey: `postal-key-${index}`,
            from: 'news@example.com',
            webhookPublicKey: key.publicKey,
          },
          owner.tenant.id
        )
        return { owner, config }
      })
    )
    const uuid = randomUUID()
    const providerMessageId = `<${randomUUID()}@postal.example>`
    const firstMessage = await sentEmail(client, first, providerMessageId)
    const secondMessage = await sentEmail(client, second, providerMessageId)
    const callbackFor = (key: (typeof keys)[number], messageId: string) =>
      postalCallback(key.privateKey, { uuid, messageId, providerMessageId })
    const firstCallback = callbackFor(keys[0], firstMessage)
    const secondCallback = callbackFor(keys[1], secondMessage)

    const applied = await replay(client, webhookPath('postal', first.config.id), firstCallback)
    applied.assertStatus(200)
    assert.equal(await statusOf(firstMessage), 'delivered')

    const colliding = await replay(client, webhookPath('postal', second.config.id), secondCallback)
    colliding.assertStatus(200)
    assert.equal(await statusOf(secondMessage), 'delivered', 'another account’s uuid is no retry')
    const [secondEvent, ...noMore] = await providerEventsOf(secondMessage)
    assert.lengthOf(noMore, 0)
    assert.include(secondEvent, {
      type: 'delivered',
      provider_event_id: uuid,
      provider_config_id: second.config.id,
    })

    const retries = await Promise.all([
      replay(client, webhookPath('postal', first.config.id), firstCallback),
      replay(client, webhookPath('postal', second.config.id), secondCallback),
    ])
    assert.deepEqual(
      retries.map((retry) => retry.status()),
      [200, 200]
    )
    assert.lengthOf(await providerEventsOf(firstMessage), 1, 'a retry is logged once')
    assert.lengthOf(await providerEventsOf(secondMessage), 1, 'a retry is logged once')
  })

  test('Twilio: the same MessageSid and status on another account is applied, a retry is not', async ({
    client,
    assert,
  }) => {
    const tokens = ['twilio-account-token-one', 'twilio-account-token-two']
    const [first, second] = await Promise.all(
      tokens.map(async (authToken, index) => {
        const owner = await createTenant(`Twilio account ${index}`)
        const config = await createTwilioConfig(authToken, TWILIO_NUMBER, owner.tenant.id)
        return { owner, config }
      })
    )
    const sid = twilioMessageSid()
    const firstMessage = await sentSms(client, first, sid)
    const secondMessage = await sentSms(client, second, sid)
    const fields = {
      MessageSid: sid,
      SmsSid: sid,
      MessageStatus: 'delivered',
      To: '+14155550100',
      From: TWILIO_NUMBER,
    }
    const firstCallback = twilioCallback(first.config, tokens[0], fields)
    const secondCallback = twilioCallback(second.config, tokens[1], fields)

    const applied = await replay(client, webhookPath('twilio', first.config.id), firstCallback)
    applied.assertStatus(200)
    assert.equal(await statusOf(firstMessage), 'delivered')

    const colliding = await replay(client, webhookPath('twilio', second.config.id), secondCallback)
    colliding.assertStatus(200)
    assert.equal(await statusOf(secondMessage), 'delivered', 'another account’s SID is no retry')
    const [secondEvent, ...noMore] = await providerEventsOf(secondMessage)
    assert.lengthOf(noMore, 0)
    assert.include(secondEvent, {
      type: 'delivered',
      provider_event_id: `${sid}:delivered`,
      provider_config_id: second.config.id,
    })

    for (const [account, callback] of [
      [first, firstCallback],
      [second, secondCallback],
    ] as const) {
      const retry = await replay(client, webhookPath('twilio', account.config.id), callback)
      retry.assertStatus(200)
    }
    assert.lengthOf(await providerEventsOf(firstMessage), 1, 'a retry is logged once')
    assert.lengthOf(await providerEventsOf(secondMessage), 1, 'a retry is logged once')
  })

  test('inbound: the same MessageSid on two of a tenant’s accounts is two messages, a retry one', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant('Two Twilio numbers')
    const tokens = ['twilio-inbound-token-one', 'twilio-inbound-token-two']
    const configs = await Promise.all(
      tokens.map((authToken) => createTwilioConfig(authToken, TWILIO_NUMBER, owner.tenant.id))
    )
    const sms = {
      MessageSid: twilioMessageSid(),
      From: '+14155550142',
      To: TWILIO_NUMBER,
      Body: 'Is my order shipped?',
      NumMedia: '0',
    }

    const deliverToBoth = async () => {
      for (const [index, config] of configs.entries()) {
        const response = await postTwilioInbound(client, config.id, tokens[index], sms)
        response.assertStatus(200)
      }
    }
    await deliverToBoth()
    await deliverToBoth() // the providers' retries

    const stored = await inboundMessagesOf(owner.tenant.id)
    assert.sameMembers(
      stored.map((message) => message.provider_config_id),
      configs.map((config) => config.id)
    )
  })
})
