import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { verifyWebhookSignature } from '#messaging/signing/webhook_signature'
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

/** TENANT_WEBHOOK_BASE_DELAY_MS in .env.test: the production 30 s scaled down 150 times */
const BASE_DELAY_MS = 200
const SCALE = 30_000 / BASE_DELAY_MS
/** The production default: 10 attempts, the gaps doubling from the base delay */
const MAX_ATTEMPTS = 10

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

function eventIdOf(callback: ReceivedCallback) {
  return callback.headers['x-switchboard-event-id'] as string
}

/** `count` sent messages of a new tenant with one endpoint; reports them delivered when asked. */
async function tenantWithEndpoint(
  client: Parameters<typeof registerEndpoint>[0],
  url: string,
  eventTypes = ['message.delivered']
) {
  const { tenant, headers } = await createTenant()
  const endpoint = await registerEndpoint(client, headers, { url, eventTypes })
  return {
    tenant,
    headers,
    endpoint,
    async deliverMessages(count: number) {
      const ids: string[] = []
      for (let index = 0; index < count; index++) ids.push(await createSentSms(client, headers))
      const applied = await Promise.all(ids.map((id) => reportDelivered(id, tenant.id)))
      return applied.map((result) => (result.outcome === 'applied' ? result.deliveryEventId : 0))
    },
  }
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
    worker = await WorkerProcess.startTenantWebhooks({
      TENANT_WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      TENANT_WEBHOOK_DISABLE_AFTER_SECONDS: '3600',
    })
    return async () => {
      await worker.stop()
      await Promise.all(receivers.map((started) => started.stop()))
    }
  })

  test('a delivered message reaches the endpoint, signed, its id the delivery event id', async ({
    client,
    assert,
  }) => {
    const receiving = await receiver()
    const { tenant, endpoint, deliverMessages } = await tenantWithEndpoint(client, receiving.url)

    const [deliveryEventId] = await deliverMessages(1)

    const [callback] = await receiving.waitFor(() => true, 1, 10_000)
    assert.isTrue(isSignedWith(endpoint.secret, callback))
    assert.isFalse(isSignedWith(`${endpoint.secret}x`, callback))
    const event = JSON.parse(callback.rawBody)
    assert.equal(event.id, String(deliveryEventId))
    assert.equal(callback.headers['x-switchboard-event'], 'message.delivered')
    assert.equal(eventIdOf(callback), event.id)
    assert.equal(callback.headers['idempotency-key'], event.id)
    assert.containsSubset(event, {
      type: 'message.delivered',
      data: { tenantId: tenant.id, status: 'delivered', deliveryEventId },
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
    assert.lengthOf(await db.from('webhook_outbox').where('endpoint_id', endpoint.id), 0)
  })

  test('a receiver down for a scaled 10 minutes gets every event once it is back, each under one id', async ({
    client,
    assert,
  }) => {
    // 10 minutes at the production base delay of 30 s: several retry gaps (0.2 s, 0.4 s, … 3.2 s)
    const outageMs = (10 * 60_000) / SCALE
    const upAt = Date.now() + outageMs
    const flaky = await receiver(() => (Date.now() < upAt ? 503 : 204))
    const { endpoint, deliverMessages } = await tenantWithEndpoint(client, flaky.url)

    const deliveryEventIds = await deliverMessages(10)

    const delivered = await waitUntil(
      'every event to be delivered after the outage',
      async () => {
        const rows = await attemptsOf(endpoint.id)
        const ok = rows.filter((row) => row.error === null)
        return ok.length >= deliveryEventIds.length && rows
      },
      { timeoutMs: outageMs + 30_000 }
    )
    const okIds = delivered.filter((row) => row.error === null).map((row) => row.event_id)
    assert.sameMembers(okIds, deliveryEventIds.map(String))
    assert.isAbove(delivered.length, okIds.length, 'some attempts failed during the outage')
    // The outage outlasted several retry gaps, and none of it disabled the endpoint
    assert.isTrue(delivered.some((row) => row.attempt >= 4 && row.error !== null))
    const failed = delivered.filter((row) => row.error !== null)
    assert.isTrue(failed.every((row) => row.status_code === 503))
    assert.isTrue(failed.every((row) => row.error === 'http_status: receiver answered 503'))
    // Every request carried the id of one of the events, always the same per event
    const received = flaky.received.map((callback) => [eventIdOf(callback), callback] as const)
    for (const [id, callback] of received) {
      assert.include(deliveryEventIds.map(String), id)
      assert.equal(JSON.parse(callback.rawBody).id, id)
    }
    const row = await waitUntil('the run of failures to be reset', async () => {
      const current = await endpointRow(endpoint.id)
      return current.failing_since === null && current
    })
    assert.isTrue(row.enabled)
    assert.equal(row.consecutive_failures, 0)
  })

  test('a 2xx after failures resets the run of failures; gaps grow with backoff', async ({
    client,
    assert,
  }) => {
    const recovering = await receiver((index) => (index < 4 ? 500 : 204))
    const { endpoint, headers } = await tenantWithEndpoint(client, recovering.url)

    await client.post(`/api/v1/webhooks/${endpoint.id}/test`).headers(headers)

    const attempts = await waitUntil('the fifth attempt to be logged', async () => {
      const rows = await attemptsOf(endpoint.id)
      return rows.length === 5 && rows
    })
    assert.deepEqual(
      attempts.map((row) => row.status_code),
      [500, 500, 500, 500, 204]
    )
    // Exponential backoff with up to 50% jitter: gap n is within [½, 1] × base × 2^(n-1)
    const times = attempts.map((row) => new Date(row.created_at).getTime())
    const gaps = times.slice(1).map((time, index) => time - times[index])
    gaps.forEach((gap, index) => assert.isAtLeast(gap, (BASE_DELAY_MS * 2 ** index) / 2))
    assert.isAbove(gaps[3], gaps[0])
    const row = await waitUntil('the run of failures to be reset', async () => {
      const current = await endpointRow(endpoint.id)
      return current.consecutive_failures === 0 && current
    })
    assert.isTrue(row.enabled)
    assert.isNull(row.failing_since)
  })

  test("a disabled endpoint's pending events stop and are recorded as failed; enable + replay delivers them", async ({
    client,
    assert,
  }) => {
    let up = false
    const receiving = await receiver(() => (up ? 200 : 500))
    const { endpoint, headers, deliverMessages } = await tenantWithEndpoint(client, receiving.url)
    const applied = await deliverMessages(3)
    const deliveryEventIds = applied.map(String)
    await receiving.waitFor(() => true, 3, 10_000)

    // As if the endpoint had failed long enough meanwhile
    await db.from('webhook_endpoints').where('id', endpoint.id).update({ enabled: false })
    const cutOff = await waitUntil('each pending retry to be recorded as cut off', async () => {
      const rows = await attemptsOf(endpoint.id)
      const skipped = rows.filter((row) => row.error?.startsWith('endpoint_disabled'))
      return skipped.length === 3 && skipped
    })
    assert.sameMembers(
      cutOff.map((row) => row.event_id),
      deliveryEventIds
    )
    const receivedWhileDisabled = receiving.received.length
    await sleep(BASE_DELAY_MS * 4)
    assert.lengthOf(receiving.received, receivedWhileDisabled)

    const refused = await client.post(`/api/v1/webhooks/${endpoint.id}/replay`).headers(headers)
    refused.assertStatus(409)
    const enabled = await client.post(`/api/v1/webhooks/${endpoint.id}/enable`).headers(headers)
    enabled.assertStatus(200)
    assert.containsSubset(enabled.body(), { id: endpoint.id, enabled: true, failingSince: null })
    up = true
    const replayed = await client.post(`/api/v1/webhooks/${endpoint.id}/replay`).headers(headers)
    replayed.assertStatus(202)
    assert.deepEqual(replayed.body(), { replayed: 3 })

    const delivered = await receiving.waitFor(() => true, receivedWhileDisabled + 3, 10_000)
    assert.sameMembers(delivered.slice(receivedWhileDisabled).map(eventIdOf), deliveryEventIds)
    await waitUntil('the replays to be logged', async () => {
      const rows = await attemptsOf(endpoint.id)
      return rows.filter((row) => row.status_code === 200).length === 3
    })
    // Nothing is missed any more
    const again = await client.post(`/api/v1/webhooks/${endpoint.id}/replay`).headers(headers)
    assert.deepEqual(again.body(), { replayed: 0 })
  })

  test('events produced while the endpoint is disabled are delivered by enable + replay, each once', async ({
    client,
    assert,
  }) => {
    const receiving = await receiver()
    const { endpoint, headers, deliverMessages } = await tenantWithEndpoint(client, receiving.url)
    await db.from('webhook_endpoints').where('id', endpoint.id).update({ enabled: false })

    const applied = await deliverMessages(3)
    const deliveryEventIds = applied.map(String)

    const notSent = await waitUntil('each event to be recorded as not sent', async () => {
      const rows = await attemptsOf(endpoint.id)
      return rows.length === 3 && rows
    })
    assert.isTrue(notSent.every((row) => row.error.startsWith('endpoint_disabled')))
    assert.lengthOf(receiving.received, 0)

    await client.post(`/api/v1/webhooks/${endpoint.id}/enable`).headers(headers)
    const replayed = await client.post(`/api/v1/webhooks/${endpoint.id}/replay`).headers(headers)
    assert.deepEqual(replayed.body(), { replayed: 3 })

    await waitUntil('the replays to be logged', async () => {
      const rows = await attemptsOf(endpoint.id)
      return rows.filter((row) => row.status_code === 200).length === 3
    })
    assert.sameMembers(receiving.received.map(eventIdOf), deliveryEventIds)
    const again = await client.post(`/api/v1/webhooks/${endpoint.id}/replay`).headers(headers)
    assert.deepEqual(again.body(), { replayed: 0 })
  })
})

test.group(
  'Tenant webhooks: an endpoint is disabled after failing for a sustained time',
  (group) => {
    let worker: WorkerProcess
    const receivers: CallbackReceiver[] = []
    /** The sustained window of this group's worker; the production default is a day */
    const WINDOW_SECONDS = 2

    group.setup(async () => {
      await tenantWebhookQueue().obliterate({ force: true })
      worker = await WorkerProcess.startTenantWebhooks({
        TENANT_WEBHOOK_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        TENANT_WEBHOOK_DISABLE_AFTER_SECONDS: String(WINDOW_SECONDS),
      })
      return async () => {
        await worker.stop()
        await Promise.all(receivers.map((started) => started.stop()))
      }
    })

    async function receiver(answer: (index: number) => number) {
      const started = await new CallbackReceiver(answer).start()
      receivers.push(started)
      return started
    }

    test('a burst of 8 failures within the window does not disable it', async ({
      client,
      assert,
    }) => {
      const bursty = await receiver((index) => (index < 8 ? 500 : 200))
      const { endpoint, deliverMessages } = await tenantWithEndpoint(client, bursty.url)

      const deliveryEventIds = await deliverMessages(8)

      const rows = await waitUntil('every event to be delivered', async () => {
        const attempts = await attemptsOf(endpoint.id)
        return attempts.filter((row) => row.error === null).length === 8 && attempts
      })
      assert.isAtLeast(rows.filter((row) => row.error !== null).length, 8)
      assert.sameMembers(
        rows.filter((row) => row.error === null).map((row) => row.event_id),
        deliveryEventIds.map(String)
      )
      const row = await waitUntil('the run of failures to be reset', async () => {
        const current = await endpointRow(endpoint.id)
        return current.failing_since === null && current
      })
      assert.isTrue(row.enabled)
      assert.isNull(row.disabled_at)
    })

    test('an endpoint failing for longer than the window is disabled, and reported', async ({
      client,
      assert,
    }) => {
      const failing = await receiver(() => 500)
      const { endpoint, headers, deliverMessages } = await tenantWithEndpoint(client, failing.url)

      await deliverMessages(1)

      const disabled = await waitUntil(
        'the endpoint to be disabled',
        async () => {
          const row = await endpointRow(endpoint.id)
          return !row.enabled && row
        },
        { timeoutMs: 20_000 }
      )
      const failingFor =
        new Date(disabled.disabled_at).getTime() - new Date(disabled.failing_since).getTime()
      assert.isAtLeast(failingFor, WINDOW_SECONDS * 1000)
      assert.equal(
        disabled.disabled_reason,
        `every delivery attempt failed for ${WINDOW_SECONDS} s or more`
      )
      // The worker logs it after the UPDATE commits: its output may arrive a moment after the row
      await waitUntil('the worker to log the endpoint disabled', async () =>
        worker.output.includes('tenant webhook endpoint disabled')
      )
      assert.include(worker.output, 'tenant webhook endpoint disabled')
      const list = await client.get('/api/v1/webhooks').headers(headers)
      assert.containsSubset(list.body().webhooks, [{ id: endpoint.id, enabled: false }])

      // The attempt that disabled it was the last one sent
      const sent = failing.received.length
      await sleep(BASE_DELAY_MS * 2 ** 4)
      assert.lengthOf(failing.received, sent)
    })
  }
)

test.group('Tenant webhooks: the POST goes through the egress policy', (group) => {
  let worker: WorkerProcess
  let internal: CallbackReceiver

  group.setup(async () => {
    await tenantWebhookQueue().obliterate({ force: true })
    internal = await new CallbackReceiver().start()
    // The API that registered the endpoint allowed loopback; this worker allows nothing internal
    worker = await WorkerProcess.startTenantWebhooks({
      EGRESS_ALLOW: '',
      TENANT_WEBHOOK_MAX_ATTEMPTS: '1',
    })
    return async () => {
      await worker.stop()
      await internal.stop()
    }
  })

  test('an endpoint that now points at an internal address is refused at connect time, and never called', async ({
    client,
    assert,
  }) => {
    const { endpoint, deliverMessages } = await tenantWithEndpoint(client, internal.url)

    const [deliveryEventId] = await deliverMessages(1)

    const [attempt] = await waitUntil('the attempt to be logged', async () => {
      const rows = await attemptsOf(endpoint.id)
      return rows.length > 0 && rows
    })
    assert.equal(attempt.event_id, String(deliveryEventId))
    assert.isNull(attempt.status_code)
    assert.match(attempt.error, /^egress_refused: .*127\.0\.0\.1.*loopback/)
    assert.lengthOf(internal.received, 0)
  })
})
