import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const sms = { channel: 'sms', recipient: '+14155550100', content: { text: 'hello' } }

async function statusOf(id: string) {
  const row = await db.from('messages').where('id', id).select('status').first()
  return row?.status as string | undefined
}

test.group('A message’s way through a real worker', (group) => {
  let worker: WorkerProcess

  group.setup(async () => {
    await emptyQueues()
    worker = await WorkerProcess.start('P4')
    return async () => {
      await worker.stop()
    }
  })

  test('API → queue → worker → log gateway: sent, with queued → sending → sent events', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const created = await client.post('/api/v1/messages').headers(headers).json(sms)
    const id = created.body().id

    await waitUntil('the message to be sent', async () => (await statusOf(id)) === 'sent', {
      timeoutMs: 5_000,
    })

    const response = await client.get(`/api/v1/messages/${id}`).headers(headers)
    const message = response.body()
    assert.equal(message.status, 'sent')
    assert.equal(message.gateway, 'log')
    assert.match(message.providerMessageId, /^log-/)
    assert.equal(message.attempts, 1)
    assert.isNotNull(message.sentAt)
    assert.isNull(message.lockedUntil)
    assert.deepEqual(
      message.events.map((event: { type: string }) => event.type),
      ['queued', 'sending', 'sent']
    )
  })

  test('a sent message can no longer be canceled', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const created = await client.post('/api/v1/messages').headers(headers).json(sms)
    const id = created.body().id
    await waitUntil('the message to be sent', async () => (await statusOf(id)) === 'sent')

    const response = await client.delete(`/api/v1/messages/${id}`).headers(headers)
    response.assertStatus(409)
    assert.equal(await statusOf(id), 'sent')
  })

  test('a message suppressed between accept and send is not sent', async ({ client, assert }) => {
    const { headers, tenant } = await createTenant()
    const scheduledAt = new Date(Date.now() + 1500).toISOString()
    const created = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ ...sms, recipient: '+14155550199', scheduledAt })
    await db.table('suppressions').insert({
      tenant_id: tenant.id,
      channel: 'sms',
      recipient: '+14155550199',
      reason: 'unsubscribe',
    })

    const id = created.body().id
    await waitUntil(
      'the message to be suppressed',
      async () => (await statusOf(id)) === 'suppressed'
    )
    const events = await db.from('delivery_events').where('message_id', id).orderBy('id')
    assert.deepEqual(
      events.map((event) => event.type),
      ['scheduled', 'sending', 'suppressed']
    )
  })

  test('a scheduled message waits for its time, then is sent', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const scheduledAt = new Date(Date.now() + 2000)
    const created = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ ...sms, scheduledAt: scheduledAt.toISOString() })
    const id = created.body().id

    created.assertStatus(201)
    assert.equal(created.body().status, 'scheduled')
    await new Promise((resolve) => setTimeout(resolve, 1000))
    assert.equal(await statusOf(id), 'scheduled')

    await waitUntil('the scheduled message to be sent', async () => (await statusOf(id)) === 'sent')
    const row = await db.from('messages').where('id', id).firstOrFail()
    assert.isAtLeast(row.sent_at.getTime(), scheduledAt.getTime())
  })

  test('a scheduled message canceled before its time is never sent', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const created = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ ...sms, scheduledAt: new Date(Date.now() + 1500).toISOString() })
    const id = created.body().id

    const cancel = await client.delete(`/api/v1/messages/${id}`).headers(headers)
    cancel.assertStatus(200)
    await new Promise((resolve) => setTimeout(resolve, 2500))

    assert.equal(await statusOf(id), 'canceled')
    const events = await db.from('delivery_events').where('message_id', id).orderBy('id')
    assert.deepEqual(
      events.map((event) => event.type),
      ['scheduled', 'canceled']
    )
  })
})
