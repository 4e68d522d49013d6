import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'

const sms = { channel: 'sms', recipient: '+14155550100', content: { text: 'Code 1234' } }

test.group('Idempotency keys', () => {
  test('a repeat with the Idempotency-Key header returns the same message with 200', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const first = await client
      .post('/api/v1/messages')
      .headers({ ...headers, 'Idempotency-Key': 'order-42' })
      .json(sms)
    const second = await client
      .post('/api/v1/messages')
      .headers({ ...headers, 'Idempotency-Key': 'order-42' })
      .json(sms)

    first.assertStatus(201)
    second.assertStatus(200)
    assert.equal(second.body().id, first.body().id)
    const rows = await db.from('messages').where('tenant_id', tenant.id)
    assert.lengthOf(rows, 1)
  })

  test('the key may come in the body, and key order does not matter', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const first = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ ...sms, idempotencyKey: 'k-1' })
    const second = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({
        idempotencyKey: 'k-1',
        content: { text: 'Code 1234' },
        recipient: '+14155550100',
        channel: 'sms',
      })

    second.assertStatus(200)
    assert.equal(second.body().id, first.body().id)
  })

  test('the same key with a different body is a 409 and writes nothing', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    await client
      .post('/api/v1/messages')
      .headers({ ...headers, 'Idempotency-Key': 'k-2' })
      .json(sms)
    const conflict = await client
      .post('/api/v1/messages')
      .headers({ ...headers, 'Idempotency-Key': 'k-2' })
      .json({ ...sms, content: { text: 'Another text' } })

    conflict.assertStatus(409)
    assert.equal(conflict.body().errors[0].code, 'E_IDEMPOTENCY_CONFLICT')
    assert.lengthOf(await db.from('messages').where('tenant_id', tenant.id), 1)
  })

  test('keys are per tenant', async ({ client, assert }) => {
    const [a, b] = [await createTenant(), await createTenant()]
    const first = await client
      .post('/api/v1/messages')
      .headers({ ...a.headers, 'Idempotency-Key': 'shared' })
      .json(sms)
    const second = await client
      .post('/api/v1/messages')
      .headers({ ...b.headers, 'Idempotency-Key': 'shared' })
      .json(sms)

    first.assertStatus(201)
    second.assertStatus(201)
    assert.notEqual(second.body().id, first.body().id)
  })
})
