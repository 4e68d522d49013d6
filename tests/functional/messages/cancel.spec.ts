import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { createTenant } from '#tests/helpers/tenants'

const sms = { channel: 'sms', recipient: '+14155550100', content: { text: 'hello' } }

test.group('DELETE /api/v1/messages/:id', () => {
  test('cancels a queued message, logs it and removes its job', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const created = await client.post('/api/v1/messages').headers(headers).json(sms)
    const id = created.body().id

    const response = await client.delete(`/api/v1/messages/${id}`).headers(headers)
    response.assertStatus(200)
    assert.equal(response.body().status, 'canceled')
    assert.isNotNull(response.body().canceledAt)

    const events = await db.from('delivery_events').where('message_id', id).orderBy('id')
    assert.deepEqual(
      events.map((event) => event.type),
      ['queued', 'canceled']
    )
    assert.isUndefined(await new MessageQueues().queue(Priority.P4).getJob(id))
  })

  test('a message already sending or sent cannot be canceled: 409', async ({ client, assert }) => {
    const { headers } = await createTenant()
    for (const status of ['sending', 'sent']) {
      const created = await client.post('/api/v1/messages').headers(headers).json(sms)
      const id = created.body().id
      await db.from('messages').where('id', id).update({ status })

      const response = await client.delete(`/api/v1/messages/${id}`).headers(headers)
      response.assertStatus(409)
      assert.equal(response.body().errors[0].code, 'E_NOT_CANCELABLE')
      const row = await db.from('messages').where('id', id).firstOrFail()
      assert.equal(row.status, status)
    }
  })

  test('a second cancel is a 409', async ({ client }) => {
    const { headers } = await createTenant()
    const created = await client.post('/api/v1/messages').headers(headers).json(sms)
    await client.delete(`/api/v1/messages/${created.body().id}`).headers(headers)
    const again = await client.delete(`/api/v1/messages/${created.body().id}`).headers(headers)
    again.assertStatus(409)
  })
})
