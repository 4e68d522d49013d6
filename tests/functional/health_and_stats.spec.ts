import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'

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

  test('GET /messages/stats/queue counts only the calling tenant’s own messages', async ({
    client,
    assert,
  }) => {
    const first = await createTenant('Queue stats, first')
    const second = await createTenant('Queue stats, second')
    const idle = await createTenant('Queue stats, idle')
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString()
    const send = async (tenant: TestTenant, priority: string, extra = {}) => {
      const response = await client
        .post('/api/v1/messages')
        .headers(tenant.headers)
        .json({
          channel: 'sms',
          priority,
          recipient: '+14155550100',
          content: { text: 'x' },
          ...extra,
        })
      response.assertStatus(201)
      return response.body().id as string
    }

    await send(first, 'P0')
    await send(first, 'P0')
    await send(first, 'P2', { scheduledAt: inAnHour })
    const sending = await send(first, 'P3')
    await db
      .from('messages')
      .where('id', sending)
      .update({ status: 'sending', locked_until: new Date(Date.now() + 60_000) })
    const deferred = await send(second, 'P1')
    await db.from('messages').where('id', deferred).update({ next_attempt_at: inAnHour })
    await send(second, 'P1')
    const sent = await send(second, 'P4')
    await db.from('messages').where('id', sent).update({ status: 'sent', sent_at: new Date() })

    const backlogOf = async (tenant: TestTenant) => {
      const response = await client.get('/api/v1/messages/stats/queue').headers(tenant.headers)
      response.assertStatus(200)
      return response.body()
    }
    const zero = { scheduled: 0, queued: 0, deferred: 0, sending: 0 }
    assert.deepEqual(await backlogOf(first), {
      priorities: [
        { priority: 'P0', ...zero, queued: 2 },
        { priority: 'P1', ...zero },
        { priority: 'P2', ...zero, scheduled: 1 },
        { priority: 'P3', ...zero, sending: 1 },
        { priority: 'P4', ...zero },
      ],
    })
    assert.deepEqual(await backlogOf(second), {
      priorities: [
        { priority: 'P0', ...zero },
        { priority: 'P1', ...zero, queued: 1, deferred: 1 },
        { priority: 'P2', ...zero },
        { priority: 'P3', ...zero },
        { priority: 'P4', ...zero },
      ],
    })
    assert.deepEqual(await backlogOf(idle), {
      priorities: ['P0', 'P1', 'P2', 'P3', 'P4'].map((priority) => ({ priority, ...zero })),
    })
  })

  test('GET /messages/stats/queue needs a tenant key', async ({ client }) => {
    const response = await client.get('/api/v1/messages/stats/queue')
    response.assertStatus(401)
  })
})
