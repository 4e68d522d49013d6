import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { TenantWebhookDeliverer } from '#messaging/tenant_webhooks/delivery/tenant_webhook_deliverer'
import { FailedDeliveries } from '#messaging/tenant_webhooks/failed_deliveries'
import { CallbackReceiver } from '#tests/helpers/callback_receiver'
import { createTenant } from '#tests/helpers/tenants'
import { waitUntil } from '#tests/helpers/wait'
import {
  createSentSms,
  outboxRows,
  queuedDeliveries,
  registerEndpoint,
  relayOutbox,
  reportDelivered,
  tenantWebhookQueue,
} from '#tests/helpers/tenant_webhooks'

// Loopback is allowed in tests (EGRESS_ALLOW in .env.test); nothing here is ever POSTed to
const receiver = 'http://127.0.0.1:9/switchboard'

/** An endpoint with `count` delivered events already handed to the queue once. */
async function endpointWithEvents(client: ApiClient, count: number, url = receiver) {
  const { tenant, headers } = await createTenant()
  const endpoint = await registerEndpoint(client, headers, {
    url,
    eventTypes: ['message.delivered'],
  })
  const eventIds: string[] = []
  for (let index = 0; index < count; index++) {
    const applied = await reportDelivered(await createSentSms(client, headers), tenant.id)
    if (applied.outcome === 'applied') eventIds.push(String(applied.deliveryEventId))
  }
  await relayOutbox()
  return { headers, endpoint, eventIds }
}

/** Attempts as the deliverer logs them, `minutesAgo` back */
async function logAttempt(
  endpointId: string,
  eventId: string,
  outcome: { error: string | null; minutesAgo: number; eventType?: string }
) {
  await db.table('webhook_deliveries').insert({
    endpoint_id: endpointId,
    event_id: eventId,
    event_type: outcome.eventType ?? 'message.delivered',
    payload: JSON.stringify({ id: eventId }),
    attempt: 1,
    status_code: outcome.error ? 500 : 200,
    error: outcome.error,
    duration_ms: 3,
    created_at: new Date(Date.now() - outcome.minutesAgo * 60_000),
  })
}

test.group('Tenant webhook endpoints: enable and replay', (group) => {
  group.each.setup(async () => {
    await tenantWebhookQueue().obliterate({ force: true })
  })

  test('enable takes a disabled endpoint back, its run of failures forgotten', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const endpoint = await registerEndpoint(client, headers, {
      url: receiver,
      eventTypes: ['message.failed'],
    })
    await db
      .from('webhook_endpoints')
      .where('id', endpoint.id)
      .update({
        enabled: false,
        disabled_at: new Date(),
        disabled_reason: 'every delivery attempt failed for 86400 s or more',
        failing_since: new Date(Date.now() - 90_000_000),
        consecutive_failures: 40,
      })

    const response = await client.post(`/api/v1/webhooks/${endpoint.id}/enable`).headers(headers)

    response.assertStatus(200)
    assert.containsSubset(response.body(), {
      id: endpoint.id,
      enabled: true,
      disabledAt: null,
      disabledReason: null,
      failingSince: null,
      consecutiveFailures: 0,
    })
    assert.notProperty(response.body(), 'secret')
    const row = await db.from('webhook_endpoints').where('id', endpoint.id).firstOrFail()
    assert.isTrue(row.enabled)
    assert.isNull(row.failing_since)
  })

  test('replay queues again, under their own ids, the events whose last attempt failed', async ({
    client,
    assert,
  }) => {
    const { headers, endpoint, eventIds } = await endpointWithEvents(client, 4)
    const [missed, recovered, missedLongAgo, delivered] = eventIds
    await logAttempt(endpoint.id, missed, {
      error: 'http_status: receiver answered 500',
      minutesAgo: 5,
    })
    await logAttempt(endpoint.id, recovered, { error: 'timeout: no answer', minutesAgo: 6 })
    await logAttempt(endpoint.id, recovered, { error: null, minutesAgo: 4 })
    await logAttempt(endpoint.id, missedLongAgo, { error: 'network: x', minutesAgo: 600 })
    await logAttempt(endpoint.id, delivered, { error: null, minutesAgo: 5 })
    await logAttempt(endpoint.id, randomUUID(), {
      error: 'http_status: receiver answered 500',
      minutesAgo: 5,
      eventType: 'test',
    })
    const since = new Date(Date.now() - 60 * 60_000).toISOString()

    const recent = await client
      .post(`/api/v1/webhooks/${endpoint.id}/replay`)
      .headers(headers)
      .json({ since })
    recent.assertStatus(202)
    assert.deepEqual(recent.body(), { replayed: 1 })
    // Already waiting: not put back twice
    const all = await client.post(`/api/v1/webhooks/${endpoint.id}/replay`).headers(headers)
    assert.deepEqual(all.body(), { replayed: 1 })
    const waiting = await outboxRows([endpoint.id])
    assert.sameMembers(
      waiting.map((row) => String(row.delivery_event_id)),
      [missed, missedLongAgo]
    )

    assert.equal(await relayOutbox(), 2)
    const queued = await queuedDeliveries([endpoint.id])
    const replayedIds = queued.map((payload) => payload.event.id)
    // The first hand-over's jobs are still there: the replays are new jobs with the same event ids
    assert.sameMembers(replayedIds, [...eventIds, missed, missedLongAgo])
  })

  test("another tenant's endpoint is neither enabled nor replayed; bad input is refused", async ({
    client,
    assert,
  }) => {
    const { headers, endpoint } = await endpointWithEvents(client, 0)
    const other = await createTenant('Other')
    await db.from('webhook_endpoints').where('id', endpoint.id).update({ enabled: false })

    for (const action of ['enable', 'replay']) {
      const foreign = await client
        .post(`/api/v1/webhooks/${endpoint.id}/${action}`)
        .headers(other.headers)
      foreign.assertStatus(404)
      assert.equal(foreign.body().errors[0].code, 'E_NOT_FOUND')
      const malformed = await client.post(`/api/v1/webhooks/not-a-uuid/${action}`).headers(headers)
      malformed.assertStatus(404)
    }
    const row = await db.from('webhook_endpoints').where('id', endpoint.id).firstOrFail()
    assert.isFalse(row.enabled)

    const disabled = await client.post(`/api/v1/webhooks/${endpoint.id}/replay`).headers(headers)
    disabled.assertStatus(409)
    assert.equal(disabled.body().errors[0].code, 'E_ENDPOINT_DISABLED')

    await client.post(`/api/v1/webhooks/${endpoint.id}/enable`).headers(headers)
    const badSince = await client
      .post(`/api/v1/webhooks/${endpoint.id}/replay`)
      .headers(headers)
      .json({ since: 'yesterday' })
    badSince.assertStatus(422)
    assert.containsSubset(badSince.body().errors, [{ field: 'since' }])
  })

  test('two replays at once queue each missed event once', async ({ client, assert }) => {
    const { endpoint, eventIds } = await endpointWithEvents(client, 1)
    const [missed] = eventIds
    await logAttempt(endpoint.id, missed, { error: 'network: x', minutesAgo: 5 })

    // The other replay has put the event back, not yet committed, when this one runs
    const other = await db.transaction()
    await other.table('webhook_outbox').insert({
      endpoint_id: endpoint.id,
      delivery_event_id: missed,
      event_type: 'message.delivered',
    })
    let done = false
    const replaying = new FailedDeliveries().replay(endpoint.id, null).finally(() => {
      done = true
    })
    await waitUntil('this replay to finish or to wait for the other', async () => {
      if (done) return true
      const { rows } = await db.rawQuery(
        `SELECT 1 FROM pg_stat_activity
          WHERE datname = current_database() AND wait_event_type = 'Lock'
            AND query LIKE 'INSERT INTO webhook_outbox%'`
      )
      return rows.length > 0
    })
    await other.commit()

    assert.equal(await replaying, 0)
    const waiting = await outboxRows([endpoint.id])
    assert.deepEqual(
      waiting.map((row) => String(row.delivery_event_id)),
      [missed]
    )
  })

  test('a replay while the event is still being retried reaches the receiver once', async ({
    client,
    assert,
  }) => {
    const receiving = await new CallbackReceiver().start()
    try {
      const { headers, endpoint, eventIds } = await endpointWithEvents(client, 1, receiving.url)
      const [eventId] = eventIds
      // Its first attempt failed; the job waits for its retry when the tenant replays
      await logAttempt(endpoint.id, eventId, { error: 'timeout: no answer', minutesAgo: 1 })
      const replayed = await client.post(`/api/v1/webhooks/${endpoint.id}/replay`).headers(headers)
      assert.deepEqual(replayed.body(), { replayed: 1 })
      await relayOutbox()
      const jobs = await queuedDeliveries([endpoint.id])
      assert.deepEqual(
        jobs.map((payload) => payload.event.id),
        [eventId, eventId]
      )

      const deliverer = await app.container.make(TenantWebhookDeliverer)
      const outcomes = []
      for (const payload of jobs) {
        const outcome = await deliverer.deliver(payload, 2)
        outcomes.push(outcome.kind)
      }

      assert.deepEqual(outcomes, ['delivered', 'skipped'])
      assert.lengthOf(receiving.received, 1)
      assert.equal(receiving.received[0].headers['x-switchboard-event-id'], eventId)
    } finally {
      await receiving.stop()
    }
  })
})
