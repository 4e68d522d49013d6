import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { createTenant } from '#tests/helpers/tenants'

const email = {
  channel: 'email',
  recipient: 'Ada@Example.com',
  subject: 'Welcome',
  content: { text: 'Hello Ada', html: '<p>Hello Ada</p>' },
}

test.group('POST /api/v1/messages', () => {
  test('stores the message, logs it queued and queues its id on its priority', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const response = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ ...email, priority: 'P1', messageType: 'alert', metadata: { campaign: 'w1' } })

    response.assertStatus(201)
    const body = response.body()
    assert.equal(body.status, 'queued')
    assert.equal(body.priority, 'P1')
    assert.equal(body.recipient, 'ada@example.com')
    assert.equal(body.recipientDomain, 'example.com')
    assert.deepEqual(body.metadata, { campaign: 'w1' })

    const row = await db.from('messages').where('id', body.id).firstOrFail()
    assert.equal(row.tenant_id, tenant.id)
    assert.equal(row.status, 'queued')
    const events = await db.from('delivery_events').where('message_id', body.id)
    assert.deepEqual(
      events.map((event) => event.type),
      ['queued']
    )

    const job = await new MessageQueues().queue(Priority.P1).getJob(body.id)
    assert.deepEqual(job?.data, { messageId: body.id })
  })

  test('defaults to P4 (transactional)', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const response = await client.post('/api/v1/messages').headers(headers).json(email)
    response.assertStatus(201)
    assert.equal(response.body().priority, 'P4')
    assert.equal(response.body().messageType, 'transactional')
  })

  test('a suppressed recipient is recorded as suppressed and never queued', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    await db.table('suppressions').insert({
      tenant_id: tenant.id,
      channel: 'email',
      recipient: 'ada@example.com',
      reason: 'hard_bounce',
    })
    const response = await client.post('/api/v1/messages').headers(headers).json(email)

    response.assertStatus(201)
    assert.equal(response.body().status, 'suppressed')
    const job = await new MessageQueues().queue(Priority.P4).getJob(response.body().id)
    assert.isUndefined(job)
  })

  test('channels check their own recipients: {channel}')
    .with([
      { channel: 'sms', recipient: '+14155550100', content: { text: 'Your code is 1234' } },
      {
        channel: 'push',
        recipient: 'f'.repeat(40) + ':APA91b' + 'x'.repeat(100),
        content: { text: 'Hi' },
      },
      {
        channel: 'webhook',
        recipient: 'https://hooks.example.com/in',
        content: { data: { a: 1 } },
      },
    ])
    .run(async ({ client, assert }, payload) => {
      const { headers } = await createTenant()
      const response = await client.post('/api/v1/messages').headers(headers).json(payload)
      response.assertStatus(201)
      assert.equal(response.body().channel, payload.channel)
    })
})
