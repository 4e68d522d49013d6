import { test } from '@japa/runner'
import { tenantProviderAt } from '#tests/helpers/egress'
import {
  INTERNAL_REPLIES,
  INTERNAL_SECRET,
  withInternalService,
} from '#tests/helpers/internal_service'
import { createProvider } from '#tests/helpers/providers'
import { messageWithEvents, startSandbox, type SandboxFakes } from '#tests/helpers/sandbox'
import { createTenant } from '#tests/helpers/tenants'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const LANE = 'P1'

/**
 * A tenant provider of each SDK-backed type whose address is the internal
 * service, and a message it would carry. .env.test allows loopback, so the
 * service is reached and answers: what it says must stay out of the record.
 */
const CASES = [
  {
    type: 'fcm' as const,
    message: { channel: 'push', recipient: `device-${'x'.repeat(40)}`, subject: 'Hi' },
  },
  { type: 'twilio' as const, message: { channel: 'sms', recipient: '+15005550010' } },
  {
    type: 'ses' as const,
    message: { channel: 'email', recipient: 'ada@example.com', subject: 'Hi' },
  },
]

test.group('A worker sending through a tenant provider that is an internal service', (group) => {
  let fakes: SandboxFakes
  let worker: WorkerProcess
  const internal = withInternalService(group, INTERNAL_REPLIES.text200)

  group.setup(async () => {
    fakes = await startSandbox()
    worker = await WorkerProcess.start(LANE)
    return async () => {
      await worker.stop()
      await fakes.sandbox.stop()
    }
  })

  test('{type}: the failure is recorded and logged without the reply, and the sandbox carries it')
    .with(CASES)
    .run(async ({ client, assert }, { type, message }) => {
      const { headers } = await createTenant()
      const providerId = await createProvider(client, headers, tenantProviderAt(type, internal.url))
      const requestsBefore = internal.requests

      const created = await client
        .post('/api/v1/messages')
        .headers(headers)
        .json({ ...message, priority: LANE, content: { text: 'Hello' } })
      created.assertStatus(201)
      const id: string = created.body().id
      const failover = await waitUntil(`message ${id} to fail over`, async () => {
        const { events } = await messageWithEvents(id)
        return events.find((event) => event.type === 'failover')
      })

      assert.isAbove(internal.requests, requestsBefore)
      assert.equal(failover.gateway, `${type}:${providerId}`)
      const shown = await client.get(`/api/v1/messages/${id}`).headers(headers)
      shown.assertStatus(200)
      const recorded = JSON.stringify(await messageWithEvents(id))
      for (const text of [recorded, shown.text(), worker.output]) {
        assert.notInclude(text, INTERNAL_SECRET)
      }
    })
})
