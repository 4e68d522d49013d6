import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import CommsSend from '#commands/comms_send'
import { createTenant } from '#tests/helpers/tenants'
import { runCommand } from '#tests/helpers/commands'
import { suppressThroughApi, uniqueTag } from '#tests/helpers/suppressions'

const queues = new MessageQueues()

async function messagesOf(tenantId: string) {
  return db.from('messages').where('tenant_id', tenantId)
}

/** The message id in the command's table row (id|status|channel|priority|recipient) */
function sentRow(logs: string[]) {
  const row = logs.find((line) => /^[0-9a-f-]{36}\|/.test(line))
  const [id, status, channel, priority, recipient] = row!.split('|')
  return { id, status, channel, priority, recipient }
}

test.group('comms:send', () => {
  test('accepts a message as the API does: stored, logged queued, its job on its priority', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const { command, logs } = await runCommand(CommsSend, [
      `--tenant=${tenant.id}`,
      '--to=Ada@Example.com',
      '--subject=Hello',
      '--text=It works',
      '--priority=p1',
    ])

    command.assertSucceeded()
    const printed = sentRow(logs)
    assert.include(printed, {
      status: 'queued',
      channel: 'email',
      priority: 'P1',
      recipient: 'ada@example.com',
    })
    const [row] = await messagesOf(tenant.id)
    assert.equal(row.id, printed.id)
    assert.equal(row.subject, 'Hello')
    assert.deepEqual(row.content, { text: 'It works' })
    const events = await db.from('delivery_events').where('message_id', row.id)
    assert.deepEqual(
      events.map((event) => event.type),
      ['queued']
    )
    const job = await queues.queue(Priority.P1).getJob(row.id)
    assert.deepEqual(job?.data, { messageId: row.id })
  })

  test('a suppressed recipient is answered as suppressed, never queued', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    await suppressThroughApi(client, headers, { channel: 'sms', recipient: '+14155550123' })

    const { command, logs } = await runCommand(CommsSend, [
      `--tenant=${tenant.id}`,
      '--channel=sms',
      '--to=+14155550123',
      '--text=Hi',
    ])

    command.assertSucceeded()
    const printed = sentRow(logs)
    assert.equal(printed.status, 'suppressed')
    assert.isUndefined(await queues.queue(Priority.P4).getJob(printed.id))
  })

  test('input the API would refuse exits 1 and stores nothing: {name}')
    .with([
      {
        name: 'a recipient that is not an email address',
        argv: (tenantId: string) => [
          `--tenant=${tenantId}`,
          '--to=nobody',
          '--subject=s',
          '--text=x',
        ],
        says: 'recipient:',
      },
      {
        name: 'an email without a subject',
        argv: (tenantId: string) => [
          `--tenant=${tenantId}`,
          `--to=a.${uniqueTag()}@b.co`,
          '--text=x',
        ],
        says: 'content:',
      },
      {
        name: 'an unknown priority',
        argv: (tenantId: string) => [
          `--tenant=${tenantId}`,
          '--channel=sms',
          '--to=+14155550100',
          '--text=x',
          '--priority=P9',
        ],
        says: 'priority:',
      },
    ])
    .run(async ({ assert }, { argv, says }) => {
      const { tenant } = await createTenant()
      const { command, output } = await runCommand(CommsSend, argv(tenant.id))
      assert.equal(command.exitCode, 1)
      assert.include(output, says)
      assert.lengthOf(await messagesOf(tenant.id), 0)
    })

  test('an unknown or suspended tenant exits 1', async ({ assert }) => {
    const unknown = await runCommand(CommsSend, [
      '--tenant=00000000-0000-4000-8000-000000000000',
      '--channel=sms',
      '--to=+14155550100',
      '--text=x',
    ])
    assert.equal(unknown.command.exitCode, 1)
    assert.include(unknown.output, 'No tenant')

    const { tenant } = await createTenant()
    tenant.status = 'suspended'
    await tenant.save()
    const suspended = await runCommand(CommsSend, [
      `--tenant=${tenant.id}`,
      '--channel=sms',
      '--to=+14155550100',
      '--text=x',
    ])
    assert.equal(suspended.command.exitCode, 1)
    assert.lengthOf(await messagesOf(tenant.id), 0)
  })
})
