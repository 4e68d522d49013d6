import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { createPostalTenant, startFakePostal } from '#tests/helpers/fake_postal'
import { createTenant } from '#tests/helpers/tenants'
import { acceptMessage } from '#tests/helpers/messages'
import { runAce } from '#tests/helpers/ace_process'
import { runCommand } from '#tests/helpers/commands'
import { statusCounts } from '#tests/helpers/database'
import { emptyQueues } from '#tests/helpers/queues'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

/** Messages of the tenant with a `deferred` event whose reason is `reason` */
async function deferredFor(tenantId: string, reason: string) {
  const rows = await db
    .from('delivery_events')
    .where({ tenant_id: tenantId, type: 'deferred', reason })
    .distinct('message_id')
  return new Set(rows.map((row) => row.message_id as string))
}

async function succeeded(args: string[]) {
  const { exitCode, output } = await runAce(args)
  if (exitCode !== 0) throw new Error(`node ace ${args.join(' ')} failed:\n${output}`)
}

test.group('Tenant controls in a running worker', (group) => {
  let postal: PostalFakeServer
  group.setup(async () => {
    await emptyQueues()
    postal = await startFakePostal()
    return () => postal.stop()
  })

  test('tenants:set --send-rate-limit, run in another process, holds the tenant’s sends in a running worker', async ({
    client,
    assert,
  }) => {
    const worker = await WorkerProcess.start('P4')
    try {
      const { tenant, headers } = await createTenant()
      await succeeded(['tenants:set', tenant.id, '--send-rate-limit=1/60'])

      const reason = `tenant rate limit (${tenant.id})`
      const sms = { channel: 'sms', priority: 'P4', content: { text: 'hi' } }
      let sent = 0
      await waitUntil(
        'the worker to defer a send under the new limit',
        async () => {
          await acceptMessage(client, headers, { ...sms, recipient: `+1415555${1000 + sent++}` })
          const deferred = await deferredFor(tenant.id, reason)
          return deferred.size > 0
        },
        { intervalMs: 200 }
      )
      const counts = await statusCounts(tenant.id)
      assert.notProperty(counts, 'failed')
      assert.isAtLeast(counts.queued ?? 0, 1)
    } finally {
      await worker.stop()
    }
  })

  test('a suspended tenant’s queued and falling-due messages wait, neither sent nor failed; tenants:resume sends them', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createPostalTenant(client, postal)
    const email = (to: string) => ({
      channel: 'email',
      priority: 'P3',
      recipient: `${to}@suspended.example.com`,
      subject: 'Held',
      content: { text: 'held while suspended' },
    })
    // Accepted while no P3 worker runs, so they are still queued when it starts
    const ids = [
      await acceptMessage(client, headers, email('queued-1')),
      await acceptMessage(client, headers, email('queued-2')),
      await acceptMessage(client, headers, {
        ...email('scheduled'),
        scheduledAt: new Date(Date.now() + 1500).toISOString(),
      }),
    ]
    const suspended = await runCommand('tenants:suspend', [tenant.id, '--reason=test'])
    suspended.command.assertSucceeded()
    const refused = await client.post('/api/v1/messages').headers(headers).json(email('later'))
    refused.assertStatus(403)

    const worker = await WorkerProcess.start('P3')
    try {
      await waitUntil('every message to wait for the suspension', async () => {
        const waiting = await deferredFor(tenant.id, 'tenant suspended')
        return ids.every((id) => waiting.has(id))
      })
      assert.deepEqual(await statusCounts(tenant.id), { queued: 3 })
      assert.isTrue(ids.every((id) => !postal.sendsByMessageId.has(id)))

      await succeeded(['tenants:resume', tenant.id])
      await waitUntil('the waiting messages to be sent', async () => {
        const counts = await statusCounts(tenant.id)
        return counts.sent === 3
      })
      assert.deepEqual(
        ids.map((id) => postal.sendsByMessageId.get(id)),
        [1, 1, 1]
      )
    } finally {
      await worker.stop()
    }
  })
})
