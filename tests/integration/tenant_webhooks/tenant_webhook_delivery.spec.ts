import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { verifyWebhookSignature } from '#messaging/gateways/webhook_signature'
import { CallbackReceiver, type ReceivedCallback } from '#tests/helpers/callback_receiver'
import { createTenant } from '#tests/helpers/tenants'
import {
  createSentSms,
  registerEndpoint,
  reportDelivered,
  tenantWebhookQueue,
} from '#tests/helpers/tenant_webhooks'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

/** TENANT_WEBHOOK_BASE_DELAY_MS in .env.test; the defaults of the other settings */
const BASE_DELAY_MS = 200
const DISABLE_AFTER = 5

async function attemptsOf(endpointId: string) {
  return db.from('webhook_deliveries').where('endpoint_id', endpointId).orderBy('id')
}

async function endpointRow(endpointId: string) {
  return db.from('webhook_endpoints').where('id', endpointId).firstOrFail()
}

function isSignedWith(secret: string, callback: ReceivedCallback) {
  return verifyWebhookSignature({
    secret,
    signature: callback.headers['x-switchboard-signature'] as string | undefined,
    timestamp: callback.headers['x-switchboard-timestamp'] as string | undefined,
    rawBody: callback.rawBody,
  })
}

test.group('Tenant webhooks out through a real webhooks worker', (group) => {
  let worker: WorkerProcess
  const receivers: CallbackReceiver[] = []

  async function receiver(answer?: (index: number) => number) {
    const started = await new CallbackReceiver(answer).start()
    receivers.push(started)
    return started
  }

  group.setup(async () => {
    await tenantWebhookQueue().obliterate({ force: true })
    worker = await WorkerProcess.startTenantWebhooks()
    return async () => {
      await worker.stop()
      await Promise.all(receivers.map((started) => started.stop()))
    }
  })

  test('a delivered message reaches the endpoint, signed, and the attempt is logged', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const receiving = await receiver()
    const endpoint = await registerEndpoint(client, headers, {
      url: receiving.url,
      eventTypes: ['message.delivered'],
    })
    const messageId = await createSentSms(client, headers)

    await reportDelivered(messageId, tenant.id)

    const [callback] = await receiving.waitFor(() => true, 1, 10_000)
    assert.isTrue(isSignedWith(endpoint.secret, callback))
    assert.isFalse(isSignedWith(`${endpoint.secret}x`, callback))
    const event = JSON.parse(callback.rawBody)
    assert.equal(callback.headers['x-switchboard-event'], 'message.delivered')
    assert.equal(callback.headers['idempotency-key'], event.id)
    assert.containsSubset(event, {
      type: 'message.delivered',
      data: { messageId, tenantId: tenant.id, status: 'delivered' },
    })

    const attempts = await waitUntil('the attempt to be logged', async () => {
      const rows = await attemptsOf(endpoint.id)
      return rows.length > 0 && rows
    })
    assert.lengthOf(attempts, 1)
    assert.containsSubset(attempts[0], {
      event_id: event.id,
      event_type: 'message.delivered',
      attempt: 1,
      status_code: 200,
      error: null,
    })
    assert.deepEqual(attempts[0].payload, event)
  })

  test('an endpoint answering 500 is retried with backoff, then disabled and reported', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const failing = await receiver(() => 500)
    const endpoint = await registerEndpoint(client, headers, {
      url: failing.url,
      eventTypes: ['message.delivered'],
    })

    const queued = await client.post(`/api/v1/webhooks/${endpoint.id}/test`).headers(headers)
    queued.assertStatus(202)

    const disabled = await waitUntil(
      'the endpoint to be disabled',
      async () => {
        const row = await endpointRow(endpoint.id)
        return !row.enabled && row
      },
      { timeoutMs: 20_000 }
    )
    assert.equal(disabled.consecutive_failures, DISABLE_AFTER)
    assert.isNotNull(disabled.disabled_at)
    assert.equal(disabled.disabled_reason, `${DISABLE_AFTER} delivery attempts in a row failed`)

    // The attempt that disabled the endpoint was the last: none follows the next gap
    await sleep(BASE_DELAY_MS * 2 ** (DISABLE_AFTER - 1))
    const attempts = await attemptsOf(endpoint.id)
    assert.deepEqual(
      attempts.map((row) => [row.attempt, row.status_code, row.event_id]),
      [1, 2, 3, 4, 5].map((attempt) => [attempt, 500, queued.body().eventId])
    )
    assert.lengthOf(failing.received, DISABLE_AFTER)
    assert.isTrue(failing.received.every((callback) => isSignedWith(endpoint.secret, callback)))

    // Exponential backoff with up to 50% jitter: gap n is within [½, 1] × base × 2^(n-1)
    const times = attempts.map((row) => new Date(row.created_at).getTime())
    const gaps = times.slice(1).map((time, index) => time - times[index])
    gaps.forEach((gap, index) => assert.isAtLeast(gap, (BASE_DELAY_MS * 2 ** index) / 2))
    assert.isAbove(gaps[3], gaps[0])
    assert.isAbove(gaps[3], BASE_DELAY_MS * 2)

    assert.include(worker.output, 'tenant webhook endpoint disabled')
    const list = await client.get('/api/v1/webhooks').headers(headers)
    assert.containsSubset(list.body().webhooks, [
      { id: endpoint.id, enabled: false, consecutiveFailures: DISABLE_AFTER },
    ])
  })

  test("a disabled endpoint's pending retries stop", async ({ client, assert }) => {
    const { headers } = await createTenant()
    const failing = await receiver(() => 500)
    const endpoint = await registerEndpoint(client, headers, {
      url: failing.url,
      eventTypes: ['message.failed'],
    })
    await client.post(`/api/v1/webhooks/${endpoint.id}/test`).headers(headers)
    await failing.waitFor(() => true, 1, 10_000)

    // As if another event's failures had reached the threshold meanwhile
    await db.from('webhook_endpoints').where('id', endpoint.id).update({ enabled: false })
    await sleep(BASE_DELAY_MS * 4)

    assert.lengthOf(failing.received, 1)
    assert.lengthOf(await attemptsOf(endpoint.id), 1)
  })

  test('a 2xx after failures resets the run of failures', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const recovering = await receiver((index) => (index < 2 ? 500 : 204))
    const endpoint = await registerEndpoint(client, headers, {
      url: recovering.url,
      eventTypes: ['message.delivered'],
    })

    await client.post(`/api/v1/webhooks/${endpoint.id}/test`).headers(headers)

    const attempts = await waitUntil('the third attempt to be logged', async () => {
      const rows = await attemptsOf(endpoint.id)
      return rows.length === 3 && rows
    })
    assert.deepEqual(
      attempts.map((row) => row.status_code),
      [500, 500, 204]
    )
    const row = await endpointRow(endpoint.id)
    assert.isTrue(row.enabled)
    assert.equal(row.consecutive_failures, 0)
  })
})
