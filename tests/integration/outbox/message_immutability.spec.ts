import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'

test.group('The message row is an immutable log', () => {
  test('delivery columns change; what was sent never does, even alongside them', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const created = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ channel: 'sms', recipient: '+14155550100', content: { text: 'hello' } })
    const id = created.body().id

    await db.from('messages').where('id', id).update({ attempts: 3, last_error: 'timeout' })

    for (const change of [
      { content: JSON.stringify({ text: 'changed' }) },
      { recipient: '+14155550101' },
      { attempts: 4, metadata: JSON.stringify({ sneaky: true }) },
    ]) {
      await assert.rejects(
        () => db.from('messages').where('id', id).update(change),
        /messages are immutable/
      )
    }
    const row = await db.from('messages').where('id', id).firstOrFail()
    assert.deepEqual(row.content, { text: 'hello' })
    assert.equal(row.recipient, '+14155550100')
    assert.equal(row.attempts, 3)
    assert.deepEqual(row.metadata, {})
  })
})
