import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { Sandbox } from '#sandbox/sandbox'
import { POSTAL_MAGIC_RECIPIENTS } from '#messaging/vendors/postal/magic_recipients'
import { TWILIO_MAGIC_NUMBERS } from '#messaging/vendors/twilio/magic_recipients'
import { createTenant } from '#tests/helpers/tenants'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'
import { startSandbox, statusOf } from '#tests/helpers/sandbox'

test.group('The sandbox: API → worker → fake provider → signed callback', (group) => {
  let sandbox: Sandbox
  let worker: WorkerProcess

  group.setup(async () => {
    ;({ sandbox } = await startSandbox())
    // Production's setting: the sandbox's fakes are system providers, outside the egress allow-list
    worker = await WorkerProcess.start('P4', { EGRESS_ALLOW: '' })
    return async () => {
      await worker.stop()
      await sandbox.stop()
    }
  })

  test('{channel} reaches delivered through the fake provider’s signed callback')
    .with([
      {
        channel: 'email',
        body: { recipient: 'ada@example.com', subject: 'Hi', content: { text: 'Hello' } },
        gateway: /^postal:/,
      },
      {
        channel: 'sms',
        body: { recipient: TWILIO_MAGIC_NUMBERS.delivered, content: { text: 'Hello' } },
        gateway: /^twilio:/,
      },
      {
        channel: 'push',
        body: { recipient: `device-${'x'.repeat(40)}`, subject: 'Hi', content: { text: 'Hello' } },
        gateway: /^fcm:/,
      },
    ])
    .run(async ({ client, assert }, { channel, body, gateway }) => {
      const { headers } = await createTenant()
      const created = await client
        .post('/api/v1/messages')
        .headers(headers)
        .json({ channel, ...body })
      const id = created.body().id

      await waitUntil(`the ${channel} message to be delivered`, async () => {
        return (await statusOf(id)) === 'delivered'
      })
      const message = await client.get(`/api/v1/messages/${id}`).headers(headers)
      assert.match(message.body().gateway, gateway)
      const types = message.body().events.map((event: { type: string }) => event.type)
      assert.includeMembers(types, ['queued', 'sending', 'sent', 'delivered'])
    })

  test('a magic bounce address ends failed with a suppression entry', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const created = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({
        channel: 'email',
        recipient: POSTAL_MAGIC_RECIPIENTS.bounce,
        subject: 'Hi',
        content: { text: 'Hello' },
      })
    const id = created.body().id

    await waitUntil('the bounce to fail the message', async () => (await statusOf(id)) === 'failed')
    const suppression = await db
      .from('suppressions')
      .where('tenant_id', tenant.id)
      .where('recipient', POSTAL_MAGIC_RECIPIENTS.bounce)
      .first()
    assert.equal(suppression?.reason, 'hard_bounce')
  })
})
