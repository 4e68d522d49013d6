import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import type { Assert } from '@japa/assert'
import type { ApiClient } from '@japa/api-client'
import db from '@adonisjs/lucid/services/db'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { ApiProcess } from '#tests/helpers/api_process'
import { CallbackReceiver, type ReceivedCallback } from '#tests/helpers/callback_receiver'
import { mapConcurrently } from '#tests/helpers/concurrency'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import {
  createSentSms,
  registerEndpoint,
  reportDelivered,
  tenantWebhookQueue,
} from '#tests/helpers/tenant_webhooks'
import { createProviderConfig, createSentMessage } from '#tests/helpers/webhooks'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const DEVICE_TOKEN = `${'f'.repeat(40)}:APA91b${'x'.repeat(100)}`

function eventIdOf(callback: ReceivedCallback) {
  return callback.headers['x-switchboard-event-id'] as string
}

function distinctIds(receiver: CallbackReceiver) {
  return new Set(receiver.received.map(eventIdOf)).size
}

/**
 * What the receiver got, checked against the delivery events: each event
 * arrived, under its delivery event's id, and a repeat (allowed: at least
 * once) only ever under that same id.
 */
async function assertEachEventOnceById(
  assert: Assert,
  received: ReceivedCallback[],
  deliveryEvents: Array<{ id: string; message_id: string }>
) {
  const byId = new Map(deliveryEvents.map((row) => [String(row.id), row.message_id]))
  for (const callback of received) {
    const event = JSON.parse(callback.rawBody)
    assert.equal(eventIdOf(callback), event.id)
    assert.isTrue(byId.has(event.id), `${event.id} is a delivery event of ours`)
    assert.equal(event.data.messageId, byId.get(event.id))
  }
  assert.sameMembers([...new Set(received.map(eventIdOf))], [...byId.keys()])
  // One message, one delivered event: a second id for it would be a second event
  const idsPerMessage = new Map<string, Set<string>>()
  for (const callback of received) {
    const { id, data } = JSON.parse(callback.rawBody)
    idsPerMessage.set(data.messageId, (idsPerMessage.get(data.messageId) ?? new Set()).add(id))
  }
  assert.isTrue([...idsPerMessage.values()].every((ids) => ids.size === 1))
}

async function deliveredEventsOf(tenantId: string) {
  return db
    .from('delivery_events')
    .where('tenant_id', tenantId)
    .where('type', 'delivered')
    .select('id', 'message_id')
}

async function sentSmses(client: ApiClient, headers: Record<string, string>, count: number) {
  return mapConcurrently(Array.from({ length: count }), 8, () => createSentSms(client, headers))
}

test.group(
  'Tenant webhooks survive crashes: nothing lost, nothing twice under two ids',
  (group) => {
    const receivers: CallbackReceiver[] = []
    const processes: Array<WorkerProcess | ApiProcess> = []

    group.each.setup(async () => {
      await tenantWebhookQueue().obliterate({ force: true })
      return async () => {
        await Promise.all(processes.splice(0).map((service) => service.stop('SIGKILL')))
        await Promise.all(receivers.splice(0).map((started) => started.stop()))
      }
    })

    async function webhooksWorker(env: Record<string, string> = {}) {
      const worker = await WorkerProcess.startTenantWebhooks(env)
      processes.push(worker)
      return worker
    }

    async function subscribedTenant(client: ApiClient) {
      const receiving = await new CallbackReceiver().start()
      receivers.push(receiving)
      const tenant = await createTenant()
      await registerEndpoint(client, tenant.headers, {
        url: receiving.url,
        eventTypes: ['message.delivered'],
      })
      return { ...tenant, receiving }
    }

    test('kill -9 of the webhooks worker mid-burst: a new worker delivers every event', async ({
      client,
      assert,
    }) => {
      const { tenant, headers, receiving } = await subscribedTenant(client)
      const ids = await sentSmses(client, headers, 300)
      // Two at a time, so the burst is still going when the kill lands
      const first = await webhooksWorker({ TENANT_WEBHOOK_CONCURRENCY: '2' })

      await Promise.all(ids.map((id) => reportDelivered(id, tenant.id)))
      await receiving.waitFor(() => true, 30, 20_000)
      await first.stop('SIGKILL')
      assert.isBelow(distinctIds(receiving), ids.length, 'the worker died mid-burst')

      // Its jobs in flight are taken over once their locks expire (BullMQ's stalled check)
      await webhooksWorker()
      const events = await deliveredEventsOf(tenant.id)
      assert.lengthOf(events, ids.length)
      await waitUntil(
        'every event to be received',
        async () => distinctIds(receiving) === ids.length,
        {
          timeoutMs: 100_000,
        }
      )
      await assertEachEventOnceById(assert, receiving.received, events)
    }).timeout(150_000)

    test('events committed while no webhooks worker runs, and Redis lost every job, are delivered once one starts', async ({
      client,
      assert,
    }) => {
      const { tenant, headers, receiving } = await subscribedTenant(client)
      const ids = await sentSmses(client, headers, 20)

      await Promise.all(ids.map((id) => reportDelivered(id, tenant.id)))
      await tenantWebhookQueue().obliterate({ force: true })
      await webhooksWorker()

      await receiving.waitFor(() => true, ids.length, 20_000)
      await assertEachEventOnceById(assert, receiving.received, await deliveredEventsOf(tenant.id))
    })

    test('kill -9 of the API while provider callbacks are being applied: every committed event is delivered', async ({
      client,
      assert,
    }) => {
      const fcm = await createProviderConfig(GatewayType.Fcm, Channel.Push, { projectId: 'test' })
      const { receiving, ...tenant } = await subscribedTenant(client)
      const ids = await mapConcurrently(Array.from({ length: 200 }), 8, () =>
        sentPush(client, tenant, fcm.id)
      )
      await webhooksWorker()
      const api = await ApiProcess.start()
      processes.push(api)

      let answered = 0
      const reports = mapConcurrently(ids, 16, async (messageId) => {
        try {
          const reply = await api.request(
            'POST',
            '/api/webhooks/communication/firebase',
            tenant.headers,
            {
              messageId,
              event: 'delivered',
              reportId: randomUUID(),
            }
          )
          if (reply.status === 200) answered++
        } catch {
          // The API is gone: this report never got an answer
        }
      })
      await waitUntil('40 reports to be answered', async () => answered >= 40, { intervalMs: 5 })
      await api.stop('SIGKILL')
      await reports

      const events = await deliveredEventsOf(tenant.tenant.id)
      assert.isAtLeast(events.length, answered, 'every answered report was committed')
      assert.isBelow(events.length, ids.length, 'the API died mid-storm')
      await waitUntil(
        'every committed event to be received',
        async () => distinctIds(receiving) === events.length
      )
      await assertEachEventOnceById(assert, receiving.received, events)
    }).timeout(150_000)
  }
)

function sentPush(client: ApiClient, tenant: TestTenant, providerConfigId: string) {
  return createSentMessage(
    client,
    tenant.headers,
    { channel: 'push', recipient: DEVICE_TOKEN, subject: 'Hi', content: { text: 'Hello' } },
    {
      providerConfigId,
      gateway: 'fcm',
      providerMessageId: `projects/test/messages/0:${randomUUID()}`,
    }
  )
}
