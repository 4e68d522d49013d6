import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'

const sms = { channel: 'sms', recipient: '+14155550100', content: { text: 'hello' } }

test.group('Tenants are walled off', () => {
  test("another tenant's message answers 404 to read and to cancel", async ({ client, assert }) => {
    const owner = await createTenant('owner')
    const stranger = await createTenant('stranger')
    const created = await client.post('/api/v1/messages').headers(owner.headers).json(sms)
    const id = created.body().id

    const read = await client.get(`/api/v1/messages/${id}`).headers(stranger.headers)
    read.assertStatus(404)
    assert.equal(read.body().errors[0].code, 'E_NOT_FOUND')

    const cancel = await client.delete(`/api/v1/messages/${id}`).headers(stranger.headers)
    cancel.assertStatus(404)
    const row = await db.from('messages').where('id', id).firstOrFail()
    assert.equal(row.status, 'queued')

    const own = await client.get(`/api/v1/messages/${id}`).headers(owner.headers)
    own.assertStatus(200)
  })

  test('an id that is not a uuid answers 404', async ({ client }) => {
    const tenant = await createTenant()
    const response = await client.get('/api/v1/messages/not-a-uuid').headers(tenant.headers)
    response.assertStatus(404)
  })

  test('channel stats count only the caller’s messages', async ({ client, assert }) => {
    const mine = await createTenant()
    const other = await createTenant()
    await client.post('/api/v1/messages').headers(mine.headers).json(sms)
    await client.post('/api/v1/messages').headers(other.headers).json(sms)
    await client.post('/api/v1/messages').headers(other.headers).json(sms)
    // Sent through the log gateway, the one gateway both tenants share
    await db
      .from('messages')
      .whereIn('tenant_id', [mine.tenant.id, other.tenant.id])
      .update({ status: 'sent', sent_at: new Date(), gateway: 'log' })

    const response = await client.get('/api/v1/messages/stats/channels').headers(mine.headers)
    response.assertStatus(200)
    const log = response
      .body()
      .gateways.find((entry: { gateway: string }) => entry.gateway === 'log')
    assert.equal(log.counts['24h'].sent, 1)
    assert.deepEqual(log.channels, ['sms'])
  })
})
