import { test } from '@japa/runner'
import { createTenant } from '#tests/helpers/tenants'

test.group('Health and stats', () => {
  test('GET /health answers without credentials', async ({ client }) => {
    const response = await client.get('/health')
    response.assertStatus(200)
    response.assertBody({ status: 'ok' })
  })

  test('GET /ready checks PostgreSQL and Redis', async ({ client }) => {
    const response = await client.get('/ready')
    response.assertStatus(200)
    response.assertBody({ status: 'ready', checks: { postgres: 'up', redis: 'up' } })
  })

  test('GET /messages/stats/queue reports every priority queue from BullMQ', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ channel: 'sms', priority: 'P0', recipient: '+14155550100', content: { text: 'x' } })

    const response = await client.get('/api/v1/messages/stats/queue').headers(headers)
    response.assertStatus(200)
    const queues = response.body().queues
    assert.deepEqual(
      queues.map((queue: { priority: string }) => queue.priority),
      ['P0', 'P1', 'P2', 'P3', 'P4']
    )
    for (const queue of queues) {
      assert.properties(queue, ['waiting', 'active', 'delayed', 'failed'])
    }
    assert.isAtLeast(queues[0].waiting, 1)
  })
})
