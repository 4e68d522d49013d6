import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { createTenant } from '#tests/helpers/tenants'

test.group('POST /api/v1/messages/bulk', () => {
  test('queues valid recipients, counts suppressed and rejected ones', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const otherTenant = await createTenant()
    // Global entries outlive the test: one address per run keeps reruns independent
    const complained = `complained-${tenant.id.slice(0, 8)}@example.com`
    await db.table('suppressions').multiInsert([
      {
        tenant_id: tenant.id,
        channel: 'email',
        recipient: 'bounced@example.com',
        reason: 'hard_bounce',
      },
      {
        tenant_id: null,
        channel: 'email',
        recipient: complained,
        reason: 'complaint',
      },
      // Another tenant's suppression does not apply here
      {
        tenant_id: otherTenant.tenant.id,
        channel: 'email',
        recipient: 'ok2@example.com',
        reason: 'manual',
      },
      // Nor does an expired one
      {
        tenant_id: tenant.id,
        channel: 'email',
        recipient: 'ok3@example.com',
        reason: 'soft_bounce',
        expires_at: new Date(Date.now() - 60_000),
      },
    ])

    const response = await client
      .post('/api/v1/messages/bulk')
      .headers(headers)
      .json({
        channel: 'email',
        priority: 'P2',
        messageType: 'newsletter',
        subject: 'Weekly news',
        content: { text: 'Hello {{name}}', variables: { issue: 12 } },
        recipients: [
          { recipient: 'ok1@example.com', variables: { name: 'One' } },
          { recipient: 'ok2@example.com' },
          { recipient: 'OK3@example.com' },
          { recipient: 'bounced@example.com' },
          { recipient: complained },
          { recipient: 'not-an-address' },
          { recipient: 'ok1@example.com' },
        ],
      })

    response.assertStatus(201)
    const body = response.body()
    assert.include(body, { total: 7, queued: 3, suppressed: 2, rejected: 2, scheduled: 0 })
    assert.deepEqual(
      body.rejections.map((rejection: { index: number }) => rejection.index),
      [5, 6]
    )
    assert.lengthOf(body.messages, 5)

    const rows = await db.from('messages').where('tenant_id', tenant.id).orderBy('recipient')
    assert.deepEqual(
      rows.map((row) => [row.recipient, row.status]),
      [
        ['bounced@example.com', 'suppressed'],
        [complained, 'suppressed'],
        ['ok1@example.com', 'queued'],
        ['ok2@example.com', 'queued'],
        ['ok3@example.com', 'queued'],
      ]
    )
    const ok1 = rows.find((row) => row.recipient === 'ok1@example.com')
    assert.deepEqual(ok1.content.variables, { issue: 12, name: 'One' })

    const queue = new MessageQueues().queue(Priority.P2)
    for (const row of rows) {
      const job = await queue.getJob(row.id)
      assert.equal(!!job, row.status === 'queued', `job for ${row.recipient}`)
    }
  })

  test('writes 10,000 recipients in one request', async ({ client, assert }) => {
    const { headers, tenant } = await createTenant()
    const recipients = Array.from({ length: 10_000 }, (_, index) => ({
      recipient: `reader${index}@example.org`,
    }))
    const response = await client
      .post('/api/v1/messages/bulk')
      .headers(headers)
      .json({ channel: 'email', priority: 'P3', subject: 'Hi', content: { text: 'x' }, recipients })

    response.assertStatus(201)
    assert.equal(response.body().queued, 10_000)
    const counted = await db
      .from('messages')
      .where('tenant_id', tenant.id)
      .count('* as count')
      .first()
    assert.equal(Number(counted.count), 10_000)
    const events = await db
      .from('delivery_events')
      .where('tenant_id', tenant.id)
      .count('* as count')
      .first()
    assert.equal(Number(events.count), 10_000)
  }).timeout(60_000)
})
