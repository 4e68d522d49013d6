import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { Priority, PRIORITIES } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import CommsQueue from '#commands/comms_queue'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { truncateMessages } from '#tests/helpers/database'
import { runCommand } from '#tests/helpers/commands'
import { sweep } from '#tests/helpers/sweeper'

const queues = new MessageQueues()

async function pausedStates() {
  return Promise.all(PRIORITIES.map((priority) => queues.isPaused(priority)))
}

/** Accept messages through the API, as tenants do: rows queued, jobs on their queue. */
async function acceptSms(
  client: ApiClient,
  headers: Record<string, string>,
  priority: Priority,
  count: number,
  extra: Record<string, unknown> = {}
) {
  const recipients = Array.from({ length: count }, (_, index) => ({
    recipient: `+1415555${String(index).padStart(4, '0')}`,
  }))
  const response = await client
    .post('/api/v1/messages/bulk')
    .headers(headers)
    .json({ channel: 'sms', priority, content: { text: 'x' }, recipients, ...extra })
  response.assertStatus(201)
  return response.body().messages.map((message: { id: string }) => message.id) as string[]
}

async function rowsOf(ids: string[]) {
  return db.from('messages').whereIn('id', ids).orderBy('id')
}

async function statusesOf(ids: string[]) {
  const rows = await rowsOf(ids)
  return rows.map((row) => row.status as string)
}

test.group('comms:queue pause|resume', (group) => {
  group.each.teardown(() => queues.resume(PRIORITIES))

  test('pauses one priority in Redis (every worker sees it) and resumes it', async ({ assert }) => {
    const paused = await runCommand(CommsQueue, ['pause', '--priority=p3'])
    paused.command.assertSucceeded()
    assert.deepEqual(await pausedStates(), [false, false, false, true, false])
    assert.include(paused.logs, 'P3|yes')

    const resumed = await runCommand(CommsQueue, ['resume', '--priority=P3'])
    resumed.command.assertSucceeded()
    assert.deepEqual(await pausedStates(), [false, false, false, false, false])
    assert.include(resumed.logs, 'P3|no')
  })

  test('without --priority: every priority', async ({ assert }) => {
    await runCommand(CommsQueue, ['pause'])
    assert.deepEqual(await pausedStates(), [true, true, true, true, true])
    await runCommand(CommsQueue, ['resume'])
    assert.deepEqual(await pausedStates(), [false, false, false, false, false])
  })

  test('an unknown priority or action changes nothing and exits 1', async ({ assert }) => {
    const badPriority = await runCommand(CommsQueue, ['pause', '--priority=P9'])
    assert.equal(badPriority.command.exitCode, 1)
    assert.include(badPriority.output, 'Unknown priority "P9"')

    const badAction = await runCommand(CommsQueue, ['stop'])
    assert.equal(badAction.command.exitCode, 1)
    assert.deepEqual(await pausedStates(), [false, false, false, false, false])
  })
})

test.group('comms:queue drain', (group) => {
  group.each.setup(async () => {
    await truncateMessages()
    await emptyQueues()
  })

  test('cancels the priority’s queued messages in PostgreSQL and removes their jobs', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const queued = await acceptSms(client, headers, Priority.P3, 5)
    const [sending] = await acceptSms(client, headers, Priority.P3, 1)
    await db.from('messages').where('id', sending).update({ status: 'sending' })
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString()
    const scheduled = await acceptSms(client, headers, Priority.P3, 1, { scheduledAt })
    const otherPriority = await acceptSms(client, headers, Priority.P2, 2)

    const { command, logs } = await runCommand(CommsQueue, ['drain', '--priority=P3', '--force'])

    command.assertSucceeded()
    assert.include(logs, 'P3|5')
    assert.isTrue(
      logs.some((line) => line.includes('draining P3: 5/5')),
      'progress is shown'
    )
    for (const row of await rowsOf(queued)) {
      assert.equal(row.status, 'canceled')
      assert.isNotNull(row.canceled_at)
      assert.isUndefined(await queues.queue(Priority.P3).getJob(row.id), 'its job is removed')
    }
    const events = await db
      .from('delivery_events')
      .whereIn('message_id', queued)
      .where('type', 'canceled')
    assert.lengthOf(events, 5)
    assert.isTrue(events.every((event) => event.reason === 'drained by operator'))

    const untouched = await rowsOf([sending, ...scheduled, ...otherPriority])
    assert.sameMembers(
      untouched.map((row) => row.status),
      ['sending', 'scheduled', 'queued', 'queued']
    )
    const p2 = await queues.queue(Priority.P2).getJobCounts('waiting')
    assert.equal(p2.waiting, 2, 'other priorities keep their jobs')

    // The sweeper queues every queued row without a job: drained ones must stay drained
    await sweep()
    for (const id of queued) {
      assert.isUndefined(await queues.queue(Priority.P3).getJob(id))
    }
  })

  test('asks first; declining changes nothing, accepting drains', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const ids = await acceptSms(client, headers, Priority.P1, 3)
    const question = 'Cancel 3 queued messages of P1? They will not be sent'

    const declined = await runCommand(CommsQueue, ['drain', '--priority=P1'], (command) =>
      command.prompt.trap(question).reject()
    )
    declined.command.assertSucceeded()
    assert.include(declined.output, 'nothing drained')
    assert.deepEqual(await statusesOf(ids), ['queued', 'queued', 'queued'])
    const { waiting } = await queues.queue(Priority.P1).getJobCounts('waiting')
    assert.equal(waiting, 3)

    const accepted = await runCommand(CommsQueue, ['drain', '--priority=P1'], (command) =>
      command.prompt.trap(question).accept()
    )
    accepted.command.assertSucceeded()
    assert.deepEqual(await statusesOf(ids), ['canceled', 'canceled', 'canceled'])
    const after = await queues.queue(Priority.P1).getJobCounts('waiting')
    assert.equal(after.waiting, 0)
  })

  test('nothing queued: says so and asks nothing', async ({ assert }) => {
    const { command, output } = await runCommand(CommsQueue, ['drain', '--priority=P0'])
    command.assertSucceeded()
    assert.include(output, 'no queued messages in P0')
  })
})
