import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { PRIORITIES, Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import CommsStats from '#commands/comms_stats'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { truncateMessages } from '#tests/helpers/database'
import { runCommand } from '#tests/helpers/commands'

const MINUTE = 60_000

/** `count` SMS accepted through the API on `priority`: rows queued, jobs waiting. */
async function accept(
  client: ApiClient,
  headers: Record<string, string>,
  priority: Priority,
  count: number
) {
  const recipients = Array.from({ length: count }, (_, index) => ({
    recipient: `+1415555${String(index).padStart(4, '0')}`,
  }))
  const response = await client
    .post('/api/v1/messages/bulk')
    .headers(headers)
    .json({ channel: 'sms', priority, content: { text: 'x' }, recipients })
  response.assertStatus(201)
  return response.body().messages.map((message: { id: string }) => message.id) as string[]
}

async function finish(id: string, status: 'sent' | 'failed', minutesAgo: number) {
  const at = new Date(Date.now() - minutesAgo * MINUTE)
  await db
    .from('messages')
    .where('id', id)
    .update(status === 'sent' ? { status, sent_at: at } : { status, failed_at: at })
}

test.group('comms:stats', (group) => {
  const gatewayKey = 'postal:comms-stats-test'

  group.each.setup(async () => {
    await truncateMessages()
    await emptyQueues()
    return async () => {
      await new MessageQueues().resume(PRIORITIES)
      await db.from('channel_health').where('gateway_key', gatewayKey).delete()
    }
  })

  test('queue depth per priority, throughput over 1/5/15 minutes, gateway health', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    await accept(client, headers, Priority.P0, 1)
    const ids = await accept(client, headers, Priority.P2, 7)
    await finish(ids[0], 'sent', 0.2)
    await finish(ids[1], 'sent', 0.5)
    await finish(ids[2], 'sent', 3)
    await finish(ids[3], 'sent', 10)
    await finish(ids[4], 'sent', 20)
    await finish(ids[5], 'failed', 0.5)
    await finish(ids[6], 'failed', 30)
    await new MessageQueues().pause([Priority.P3])
    await db.table('channel_health').insert({
      gateway_key: gatewayKey,
      gateway: 'postal',
      channel: 'email',
      score: 0.42,
      circuit_state: 'open',
      consecutive_failures: 6,
      avg_latency_ms: 180,
    })

    const { command, logs } = await runCommand(CommsStats, [])

    command.assertSucceeded()
    assert.includeMembers(logs, [
      'priority|queue|waiting|active|delayed|failed|paused',
      'P0|messages-p0|1|0|0|0|no',
      'P2|messages-p2|7|0|0|0|no',
    ])
    assert.isTrue(
      logs.some((line) => line.startsWith('P3|messages-p3|0|0|0|0|') && line.includes('paused'))
    )
    assert.includeMembers(logs, [
      'window|sent|sent/min|failed|failed/min',
      '1 min|2|2.0|1|1.0',
      '5 min|3|0.6|1|0.2',
      '15 min|4|0.3|1|0.1',
    ])
    const health = logs.find((line) => line.startsWith(`${gatewayKey}|`))
    assert.exists(health)
    assert.match(health!, /^postal:comms-stats-test\|email\|0\.42\|.*open.*\|6\|180 ms\|/)
  })
})
