import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import CommsRetryFailed from '#commands/comms_retry_failed'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { truncateMessages } from '#tests/helpers/database'
import { runCommand } from '#tests/helpers/commands'
import { suppressThroughApi } from '#tests/helpers/suppressions'

const queues = new MessageQueues()
const HOUR = 3_600_000

/** Accept emails through the API, then fail them `hoursAgo` as the worker would have. */
async function failedEmails(
  client: ApiClient,
  headers: Record<string, string>,
  recipients: string[],
  { hoursAgo = 1, priority = Priority.P2 } = {}
) {
  const response = await client
    .post('/api/v1/messages/bulk')
    .headers(headers)
    .json({
      channel: 'email',
      priority,
      subject: 'Your receipt',
      content: { text: 'Thanks', html: '<p>Thanks</p>' },
      metadata: { order: 42 },
      recipients: recipients.map((recipient) => ({ recipient })),
    })
  response.assertStatus(201)
  const ids: string[] = response.body().messages.map((message: { id: string }) => message.id)
  await db
    .from('messages')
    .whereIn('id', ids)
    .update({
      status: 'failed',
      failed_at: new Date(Date.now() - hoursAgo * HOUR),
      last_error: 'gateway said no',
    })
  await emptyQueues()
  return ids
}

async function retriesOf(ids: string[]) {
  return db.from('messages').whereIn('parent_message_id', ids).orderBy('recipient')
}

test.group('comms:retry-failed', (group) => {
  group.each.setup(async () => {
    await truncateMessages()
    await emptyQueues()
  })

  test('each failed message gets one linked copy, queued; suppressed recipients stay unsent', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const [ada, bob, eve] = await failedEmails(client, headers, [
      'ada@example.com',
      'bob@example.com',
      'eve@example.com',
    ])
    const [old] = await failedEmails(client, headers, ['old@example.com'], { hoursAgo: 48 })
    await suppressThroughApi(client, headers, { channel: 'email', recipient: 'eve@example.com' })

    const dryRun = await runCommand(CommsRetryFailed, ['--since=24h', '--dry-run'])
    dryRun.command.assertSucceeded()
    assert.include(dryRun.output, '3 failed messages')
    assert.lengthOf(await retriesOf([ada, bob, eve]), 0, 'a dry run writes nothing')

    const { command, logs, output } = await runCommand(CommsRetryFailed, ['--since=24h'])

    command.assertSucceeded()
    assert.include(logs, '3|2|1|0')
    assert.include(output, '2 re-queued, 1 skipped')
    const retries = await retriesOf([ada, bob, eve, old])
    assert.deepEqual(
      retries.map((row) => [row.recipient, row.status, row.parent_message_id]),
      [
        ['ada@example.com', 'queued', ada],
        ['bob@example.com', 'queued', bob],
        ['eve@example.com', 'suppressed', eve],
      ]
    )
    const originals = await db.from('messages').whereIn('id', [ada, bob, eve])
    for (const retry of retries) {
      const original = originals.find((row) => row.id === retry.parent_message_id)
      assert.equal(retry.idempotency_key, `retry-of:${original.id}`)
      assert.equal(retry.tenant_id, tenant.id)
      assert.equal(retry.priority, original.priority)
      assert.equal(retry.channel, original.channel)
      assert.equal(retry.subject, 'Your receipt')
      assert.deepEqual(retry.content, original.content)
      assert.deepEqual(retry.metadata, { order: 42 })
      const job = await queues.queue(Priority.P2).getJob(retry.id)
      assert.equal(Boolean(job), retry.status === 'queued', 'only queued retries have a job')
    }
    assert.deepEqual(
      originals.map((row) => row.status),
      ['failed', 'failed', 'failed'],
      'the originals are left as they were'
    )
  })

  test('running it again makes no second copy', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const ids = await failedEmails(client, headers, ['ada@example.com', 'bob@example.com'])
    await runCommand(CommsRetryFailed, ['--since=24h'])
    const { waiting } = await queues.queue(Priority.P2).getJobCounts('waiting')

    const again = await runCommand(CommsRetryFailed, ['--since=24h'])

    again.command.assertSucceeded()
    assert.include(again.output, '0 re-queued')
    assert.lengthOf(await retriesOf(ids), 2)
    const after = await queues.queue(Priority.P2).getJobCounts('waiting')
    assert.equal(after.waiting, waiting)
  })

  test('filters by channel, tenant, ISO date and limit', async ({ client, assert }) => {
    const mine = await createTenant('mine')
    const other = await createTenant('other')
    const emails = await failedEmails(client, mine.headers, ['a@example.com', 'b@example.com'], {
      hoursAgo: 2,
    })
    const theirs = await failedEmails(client, other.headers, ['c@example.com'], { hoursAgo: 2 })
    const sms = await client
      .post('/api/v1/messages')
      .headers(mine.headers)
      .json({ channel: 'sms', recipient: '+14155550100', content: { text: 'x' } })
    await db
      .from('messages')
      .where('id', sms.body().id)
      .update({
        status: 'failed',
        failed_at: new Date(Date.now() - 2 * HOUR),
      })
    const since = new Date(Date.now() - 3 * HOUR).toISOString()

    const limited = await runCommand(CommsRetryFailed, [
      `--since=${since}`,
      '--channel=email',
      `--tenant=${mine.tenant.id}`,
      '--limit=1',
    ])
    limited.command.assertSucceeded()
    assert.lengthOf(await retriesOf(emails), 1)

    await runCommand(CommsRetryFailed, [
      `--since=${since}`,
      '--channel=email',
      `--tenant=${mine.tenant.id}`,
    ])
    assert.lengthOf(await retriesOf(emails), 2)
    assert.lengthOf(await retriesOf(theirs), 0, 'another tenant’s are left alone')
    assert.lengthOf(await retriesOf([sms.body().id]), 0, 'another channel’s are left alone')
  })

  test('many failed messages go through in batches', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const recipients = Array.from({ length: 1_200 }, (_, index) => `reader${index}@example.com`)
    const ids = await failedEmails(client, headers, recipients, { priority: Priority.P3 })

    const { command, output } = await runCommand(CommsRetryFailed, ['--since=1d'])

    command.assertSucceeded()
    assert.include(output, '1200 re-queued')
    assert.lengthOf(await retriesOf(ids), 1_200)
    const { waiting } = await queues.queue(Priority.P3).getJobCounts('waiting')
    assert.equal(waiting, 1_200)
  })

  test('bad input exits 1 and changes nothing: {name}')
    .with([
      { name: 'a --since it cannot read', argv: ['--since=yesterday'], says: '--since takes' },
      {
        name: 'an unknown channel',
        argv: ['--since=1h', '--channel=fax'],
        says: 'Unknown channel',
      },
      { name: 'an unknown tenant', argv: ['--since=1h', '--tenant=nobody'], says: 'No tenant' },
    ])
    .run(async ({ client, assert }, { argv, says }) => {
      const { headers } = await createTenant()
      const ids = await failedEmails(client, headers, ['ada@example.com'])
      const { command, output } = await runCommand(CommsRetryFailed, argv)
      assert.equal(command.exitCode, 1)
      assert.include(output, says)
      assert.lengthOf(await retriesOf(ids), 0)
    })
})
