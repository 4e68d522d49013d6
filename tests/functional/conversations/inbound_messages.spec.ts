import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import type ProviderConfig from '#models/provider_config'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import { createProviderConfig } from '#tests/helpers/webhooks'
import {
  inboundMessagesOf,
  postalSigningKey,
  postPostalInbound,
  postTwilioInbound,
  unsubscribeOf,
} from '#tests/helpers/inbound'

const ACCOUNT_SID = `AC${'1b0d'.repeat(8)}`
const AUTH_TOKEN = 'twilio-inbound-test-token'
const OUR_NUMBER = '+15005550006'

function smsFrom(from: string, body: string, extra: Record<string, string> = {}) {
  return {
    MessageSid: `SM${randomBytes(16).toString('hex')}`,
    AccountSid: ACCOUNT_SID,
    From: from,
    To: OUR_NUMBER,
    Body: body,
    NumMedia: '0',
    ...extra,
  }
}

test.group('Inbound SMS (Twilio)', (group) => {
  let owner: TestTenant
  let config: ProviderConfig

  group.each.setup(async () => {
    owner = await createTenant('Inbound SMS')
    config = await createProviderConfig(
      GatewayType.Twilio,
      Channel.Sms,
      { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN, from: OUR_NUMBER },
      owner.tenant.id
    )
  })

  test('a signed inbound SMS becomes an inbound message in a new conversation', async ({
    client,
    assert,
  }) => {
    const fields = smsFrom('+1 (415) 555-0142', 'Is my order shipped?', {
      NumMedia: '1',
      MediaUrl0: 'https://api.twilio.com/media/ME1',
      MediaContentType0: 'image/jpeg',
    })
    const response = await postTwilioInbound(client, config.id, AUTH_TOKEN, fields)

    response.assertStatus(200)
    assert.equal(response.header('content-type')?.split(';')[0], 'text/xml')
    assert.equal(response.text(), '<Response/>')
    const [message] = await inboundMessagesOf(owner.tenant.id)
    assert.include(message, {
      channel: 'sms',
      status: 'delivered',
      recipient: OUR_NUMBER,
      gateway: 'twilio',
      provider_config_id: config.id,
      provider_message_id: fields.MessageSid,
    })
    assert.equal(message.metadata.from, '+14155550142')
    assert.deepEqual(message.content, {
      text: 'Is my order shipped?',
      data: { media: [{ url: 'https://api.twilio.com/media/ME1', contentType: 'image/jpeg' }] },
    })
    const contact = await db.from('contacts').where('tenant_id', owner.tenant.id).firstOrFail()
    assert.equal(contact.address, '+14155550142')
    const conversation = await db.from('conversations').where('id', message.conversation_id).first()
    assert.include(conversation, { contact_id: contact.id, channel: 'sms', status: 'open' })
  })

  test('the same delivery five times stores one message', async ({ client, assert }) => {
    const fields = smsFrom('+14155550143', 'Hello?')
    for (let i = 0; i < 5; i++) {
      const response = await postTwilioInbound(client, config.id, AUTH_TOKEN, fields)
      response.assertStatus(200)
    }
    assert.lengthOf(await inboundMessagesOf(owner.tenant.id), 1)
  })

  test('a second message from the contact joins the conversation; a resolved one reopens', async ({
    client,
    assert,
  }) => {
    await postTwilioInbound(client, config.id, AUTH_TOKEN, smsFrom('+14155550144', 'One'))
    const [first] = await inboundMessagesOf(owner.tenant.id)
    await db.from('conversations').where('id', first.conversation_id).update({ status: 'resolved' })

    await postTwilioInbound(client, config.id, AUTH_TOKEN, smsFrom('+14155550144', 'Two'))

    const messages = await inboundMessagesOf(owner.tenant.id)
    assert.deepEqual(
      messages.map((message) => message.conversation_id),
      [first.conversation_id, first.conversation_id]
    )
    const conversation = await db.from('conversations').where('id', first.conversation_id).first()
    assert.equal(conversation.status, 'open')
  })

  test('a message stays in the conversation it was stored in', async ({ client, assert }) => {
    await postTwilioInbound(client, config.id, AUTH_TOKEN, smsFrom('+14155550149', 'Hi'))
    const [message] = await inboundMessagesOf(owner.tenant.id)

    await assert.rejects(
      () => db.from('messages').where('id', message.id).update({ conversation_id: null }),
      /conversation_id is set at insert only/
    )
  })

  test('a bad signature is refused with 401 and nothing is stored', async ({ client, assert }) => {
    const response = await postTwilioInbound(
      client,
      config.id,
      'not-the-auth-token',
      smsFrom('+14155550145', 'STOP')
    )

    response.assertStatus(401)
    assert.lengthOf(await inboundMessagesOf(owner.tenant.id), 0)
    assert.lengthOf(await db.from('contacts').where('tenant_id', owner.tenant.id), 0)
    assert.isNull(await unsubscribeOf(owner.tenant.id, 'sms', '+14155550145'))
  })

  test('a signed message whose MessageSid is longer than any Twilio id → 400, nothing stored', async ({
    client,
    assert,
  }) => {
    const fields = smsFrom('+14155550150', 'Hi', { MessageSid: `SM${'f'.repeat(3000)}` })
    const response = await postTwilioInbound(client, config.id, AUTH_TOKEN, fields)

    response.assertStatus(400)
    assert.equal(response.body().errors[0].code, 'E_MALFORMED_WEBHOOK')
    assert.lengthOf(await inboundMessagesOf(owner.tenant.id), 0)
    assert.lengthOf(await db.from('contacts').where('tenant_id', owner.tenant.id), 0)
  })

  test('STOP suppresses SMS to the sender; START lifts it', async ({ client, assert }) => {
    const sender = '+14155550146'
    await postTwilioInbound(client, config.id, AUTH_TOKEN, smsFrom(sender, '  Stop '))
    const suppression = await unsubscribeOf(owner.tenant.id, 'sms', sender)
    assert.equal(suppression?.source, 'twilio:inbound')

    await postTwilioInbound(client, config.id, AUTH_TOKEN, smsFrom(sender, 'START'))
    assert.isNull(await unsubscribeOf(owner.tenant.id, 'sms', sender))
    assert.lengthOf(await inboundMessagesOf(owner.tenant.id), 2)
  })

  test('START does not lift a suppression added for another reason', async ({ client, assert }) => {
    const sender = '+14155550147'
    await db.table('suppressions').insert({
      tenant_id: owner.tenant.id,
      channel: 'sms',
      recipient: sender,
      reason: 'hard_bounce',
    })
    await postTwilioInbound(client, config.id, AUTH_TOKEN, smsFrom(sender, 'start'))

    const row = await db
      .from('suppressions')
      .where({ tenant_id: owner.tenant.id, recipient: sender })
      .first()
    assert.equal(row?.reason, 'hard_bounce')
  })

  test('a system-default account stores nothing and still answers 200', async ({
    client,
    assert,
  }) => {
    const shared = await createProviderConfig(GatewayType.Twilio, Channel.Sms, {
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: OUR_NUMBER,
    })
    const fields = smsFrom('+14155550148', 'Hi')
    const response = await postTwilioInbound(client, shared.id, AUTH_TOKEN, fields)

    response.assertStatus(200)
    const stored = await db.from('messages').where('provider_message_id', fields.MessageSid)
    assert.lengthOf(stored, 0)
  })
})

test.group('Inbound email (Postal)', (group) => {
  let owner: TestTenant
  let config: ProviderConfig
  const key = postalSigningKey()

  group.each.setup(async () => {
    owner = await createTenant('Inbound email')
    config = await createProviderConfig(
      GatewayType.Postal,
      Channel.Email,
      {
        baseUrl: 'http://127.0.0.1:9',
        apiKey: 'postal-inbound-key',
        from: 'support@mail.example.com',
        webhookPublicKey: key.publicKey,
      },
      owner.tenant.id
    )
  })

  function email(overrides: Record<string, unknown> = {}) {
    return {
      id: Math.floor(Math.random() * 1_000_000_000),
      rcpt_to: 'support@mail.example.com',
      mail_from: 'bounces+ada@lists.example.org',
      token: 'rtoken',
      subject: 'Question about my invoice',
      message_id: '<abc@example.org>',
      timestamp: Date.now() / 1000,
      from: 'Ada Lovelace <Ada@Example.org>',
      to: 'support@mail.example.com',
      plain_body: 'Hello,\nwhere is my invoice?',
      html_body: '<p>Hello, where is my invoice?</p>',
      attachment_quantity: 0,
      ...overrides,
    }
  }

  test('a signed inbound email becomes a message in the contact’s conversation', async ({
    client,
    assert,
  }) => {
    const body = email()
    const response = await postPostalInbound(client, config.id, key.privateKey, body)

    response.assertStatus(200)
    const [message] = await inboundMessagesOf(owner.tenant.id)
    assert.include(message, {
      channel: 'email',
      recipient: 'support@mail.example.com',
      subject: 'Question about my invoice',
      provider_message_id: String(body.id),
      gateway: 'postal',
    })
    assert.equal(message.content.html, '<p>Hello, where is my invoice?</p>')
    assert.equal(message.metadata.from, 'ada@example.org')
    const contact = await db.from('contacts').where('tenant_id', owner.tenant.id).firstOrFail()
    assert.include(contact, { address: 'ada@example.org', display_name: 'Ada Lovelace' })
    assert.isNull(await unsubscribeOf(owner.tenant.id, 'email', 'ada@example.org'))
  })

  test('a retried delivery is stored once', async ({ client, assert }) => {
    const body = email()
    await postPostalInbound(client, config.id, key.privateKey, body)
    const again = await postPostalInbound(client, config.id, key.privateKey, body)

    again.assertStatus(200)
    assert.lengthOf(await inboundMessagesOf(owner.tenant.id), 1)
  })

  test('"unsubscribe" as the subject or first line suppresses email to the sender', async ({
    client,
    assert,
  }) => {
    await postPostalInbound(client, config.id, key.privateKey, email({ subject: 'Unsubscribe' }))
    await postPostalInbound(
      client,
      config.id,
      key.privateKey,
      email({ from: 'grace@example.org', subject: 'Re: news', plain_body: 'unsubscribe\n\n> …' })
    )

    assert.exists(await unsubscribeOf(owner.tenant.id, 'email', 'ada@example.org'))
    assert.exists(await unsubscribeOf(owner.tenant.id, 'email', 'grace@example.org'))
  })

  test('a body signed by another key is refused with 401 and nothing is stored', async ({
    client,
    assert,
  }) => {
    const response = await postPostalInbound(
      client,
      config.id,
      postalSigningKey().privateKey,
      email({ subject: 'unsubscribe' })
    )

    response.assertStatus(401)
    assert.lengthOf(await inboundMessagesOf(owner.tenant.id), 0)
    assert.isNull(await unsubscribeOf(owner.tenant.id, 'email', 'ada@example.org'))
  })
})
