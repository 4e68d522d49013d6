import { randomBytes, randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import type ProviderConfig from '#models/provider_config'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import { createProviderConfig } from '#tests/helpers/webhooks'
import { postTwilioInbound } from '#tests/helpers/inbound'
import { emptyQueues } from '#tests/helpers/queues'

const AUTH_TOKEN = 'conversations-api-token'
const OUR_NUMBER = '+15005550006'

test.group('Conversations API', (group) => {
  let owner: TestTenant
  let config: ProviderConfig

  group.each.setup(async () => {
    owner = await createTenant('Conversations')
    config = await createProviderConfig(
      GatewayType.Twilio,
      Channel.Sms,
      { accountSid: `AC${'c0'.repeat(16)}`, authToken: AUTH_TOKEN, from: OUR_NUMBER },
      owner.tenant.id
    )
  })
  group.teardown(() => emptyQueues())

  async function receive(
    client: Parameters<typeof postTwilioInbound>[0],
    from: string,
    body: string
  ) {
    const response = await postTwilioInbound(client, config.id, AUTH_TOKEN, {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      From: from,
      To: OUR_NUMBER,
      Body: body,
    })
    response.assertStatus(200)
    const row = await db
      .from('contacts')
      .join('conversations', 'conversations.contact_id', 'contacts.id')
      .where('contacts.tenant_id', owner.tenant.id)
      .where('contacts.address', from)
      .select('conversations.id')
      .firstOrFail()
    return row.id as string
  }

  test('lists conversations by newest activity, filtered by status', async ({ client, assert }) => {
    const older = await receive(client, '+14155550201', 'First')
    const newer = await receive(client, '+14155550202', 'Second')
    await db.from('conversations').where('id', older).update({ status: 'resolved' })

    const all = await client.get('/api/v1/conversations').headers(owner.headers)
    all.assertStatus(200)
    assert.deepEqual(
      all.body().data.map((conversation: { id: string }) => conversation.id),
      [newer, older]
    )
    assert.equal(all.body().data[0].contact.address, '+14155550202')
    assert.equal(all.body().meta.total, 2)

    const open = await client.get('/api/v1/conversations?status=open').headers(owner.headers)
    assert.deepEqual(
      open.body().data.map((conversation: { id: string }) => conversation.id),
      [newer]
    )
    const email = await client.get('/api/v1/conversations?channel=email').headers(owner.headers)
    assert.lengthOf(email.body().data, 0)
  })

  test('shows a conversation with its contact and messages in order, replies included', async ({
    client,
    assert,
  }) => {
    const id = await receive(client, '+14155550203', 'Where is my parcel?')
    const reply = await client
      .post(`/api/v1/conversations/${id}/reply`)
      .headers(owner.headers)
      .json({ content: { text: 'It ships today.' } })
    reply.assertStatus(201)
    assert.include(reply.body(), {
      channel: 'sms',
      recipient: '+14155550203',
      status: 'queued',
      direction: 'outbound',
      conversationId: id,
    })

    const shown = await client.get(`/api/v1/conversations/${id}`).headers(owner.headers)
    shown.assertStatus(200)
    assert.equal(shown.body().contact.address, '+14155550203')
    assert.deepEqual(
      shown
        .body()
        .messages.map((message: { direction: string; content: { text: string } }) => [
          message.direction,
          message.content.text,
        ]),
      [
        ['inbound', 'Where is my parcel?'],
        ['outbound', 'It ships today.'],
      ]
    )
  })

  test('a reply to a contact who sent STOP is accepted as suppressed', async ({
    client,
    assert,
  }) => {
    const id = await receive(client, '+14155550204', 'STOP')
    const reply = await client
      .post(`/api/v1/conversations/${id}/reply`)
      .headers(owner.headers)
      .json({ content: { text: 'Sorry to see you go' } })

    reply.assertStatus(201)
    assert.equal(reply.body().status, 'suppressed')
  })

  test('a reply that does not fit the channel is refused with 422', async ({ client }) => {
    const id = await receive(client, '+14155550205', 'Hi')
    const reply = await client
      .post(`/api/v1/conversations/${id}/reply`)
      .headers(owner.headers)
      .json({ content: { text: 'x'.repeat(2000) } })

    reply.assertStatus(422)
  })

  test('another tenant’s conversation is not found', async ({ client, assert }) => {
    const id = await receive(client, '+14155550206', 'Private')
    const stranger = await createTenant('Stranger')

    const shown = await client.get(`/api/v1/conversations/${id}`).headers(stranger.headers)
    const replied = await client
      .post(`/api/v1/conversations/${id}/reply`)
      .headers(stranger.headers)
      .json({ content: { text: 'Hello' } })
    const listed = await client.get('/api/v1/conversations').headers(stranger.headers)
    const unknown = await client.get(`/api/v1/conversations/${randomUUID()}`).headers(owner.headers)
    const malformed = await client.get('/api/v1/conversations/not-a-uuid').headers(owner.headers)

    shown.assertStatus(404)
    replied.assertStatus(404)
    unknown.assertStatus(404)
    malformed.assertStatus(404)
    assert.lengthOf(listed.body().data, 0)
    const sent = await db.from('messages').where('tenant_id', stranger.tenant.id)
    assert.lengthOf(sent, 0)
  })
})
