import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import { PRIORITIES } from '#enums/priority'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { POSTAL_MAGIC_RECIPIENTS } from '#messaging/vendors/postal/magic_recipients'
import { statusCounts } from '#tests/helpers/database'
import { MetricsScrape } from '#tests/helpers/metrics'
import { createProvider } from '#tests/helpers/providers'
import { emptyQueues } from '#tests/helpers/queues'
import { createTenant } from '#tests/helpers/tenants'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const LATENCY = 'switchboard_send_latency_seconds'
const OUTCOMES = 'switchboard_messages_total'
const ACCEPTED = 'switchboard_messages_accepted_total'
const QUEUE_JOBS = 'switchboard_queue_jobs'

/** Accept `recipients.length` emails on P1 in one bulk request. */
async function sendEmails(
  client: ApiClient,
  headers: Record<string, string>,
  recipients: string[]
) {
  const response = await client
    .post('/api/v1/messages/bulk')
    .headers(headers)
    .json({
      channel: 'email',
      priority: 'P1',
      subject: 'Metrics run',
      content: { text: 'Hello' },
      recipients: recipients.map((recipient) => ({ recipient })),
    })
  response.assertStatus(201)
}

/** The series of the run, as deltas from the scrape before it */
function delta(before: MetricsScrape, after: MetricsScrape) {
  return {
    value: (name: string, labels: Record<string, string>) =>
      after.value(name, labels) - before.value(name, labels),
    histogramCount: (labels: Record<string, string>) =>
      after.histogram(LATENCY, labels).count - before.histogram(LATENCY, labels).count,
  }
}

test.group('GET /metrics with real worker processes', (group) => {
  let postal: PostalFakeServer
  const postalKey = `postal-${randomBytes(12).toString('hex')}`

  group.setup(async () => {
    await emptyQueues()
    postal = await new PostalFakeServer({ apiKey: postalKey }).start()
    return () => postal.stop()
  })

  test('counters match the messages sent and failed; latency histogram counts each send', async ({
    client,
    assert,
    cleanup,
  }) => {
    // 12 emails through the log gateway; 3 through Postal, 5 Postal refuses for good
    const viaLog = await createTenant('Metrics: log gateway')
    const viaPostal = await createTenant('Metrics: Postal')
    await createProvider(client, viaPostal.headers, {
      type: 'postal',
      channel: 'email',
      name: 'Postal (fake)',
      config: { baseUrl: postal.baseUrl, apiKey: postalKey, from: 'metrics@switchboard.test' },
    })
    const before = await MetricsScrape.take(client)

    await sendEmails(
      client,
      viaLog.headers,
      Array.from({ length: 12 }, (_, index) => `log-${index}@example.com`)
    )
    await sendEmails(client, viaPostal.headers, [
      ...Array.from({ length: 3 }, (_, index) => `postal-${index}@example.com`),
      ...Array.from({ length: 5 }, (_, index) =>
        POSTAL_MAGIC_RECIPIENTS.parameterError.replace('@', `+${index}@`)
      ),
    ])

    // Nothing takes P1 jobs yet: the live gauge shows them waiting
    const queued = await MetricsScrape.take(client)
    assert.equal(queued.value(QUEUE_JOBS, { priority: 'P1', state: 'waiting' }), 20)
    for (const priority of PRIORITIES) {
      for (const state of ['waiting', 'active', 'delayed', 'failed']) {
        assert.isDefined(queued.series(QUEUE_JOBS, { priority, state }), `${priority} ${state}`)
      }
    }

    const worker = await WorkerProcess.start('P1', { CIRCUIT_FAILURE_THRESHOLD: '100' })
    cleanup(async () => {
      await worker.stop()
    })
    await waitUntil('the 20 messages to be sent or failed', async () => {
      const [log, viaProvider] = await Promise.all([
        statusCounts(viaLog.tenant.id),
        statusCounts(viaPostal.tenant.id),
      ])
      return log.sent === 12 && viaProvider.sent === 3 && viaProvider.failed === 5
    })
    // The worker writes its counters without waiting for Redis, and a scrape reads each
    // metric in turn: wait until every series has caught up, then check none overshot
    const after = await waitUntil('the counters to catch up', async () => {
      const scrape = await MetricsScrape.take(client)
      const run = delta(before, scrape)
      const caughtUp =
        run.value(OUTCOMES, { channel: 'email', gateway: 'log', outcome: 'sent' }) >= 12 &&
        run.value(OUTCOMES, { channel: 'email', gateway: 'postal', outcome: 'sent' }) >= 3 &&
        run.value(OUTCOMES, { channel: 'email', gateway: 'postal', outcome: 'failed' }) >= 5 &&
        run.histogramCount({ channel: 'email', gateway: 'log' }) >= 12 &&
        run.histogramCount({ channel: 'email', gateway: 'postal' }) >= 3
      return caughtUp && scrape
    })

    const run = delta(before, after)
    assert.equal(run.value(ACCEPTED, { channel: 'email', priority: 'P1' }), 20)
    assert.equal(run.value(OUTCOMES, { channel: 'email', gateway: 'log', outcome: 'sent' }), 12)
    assert.equal(run.value(OUTCOMES, { channel: 'email', gateway: 'postal', outcome: 'sent' }), 3)
    assert.equal(run.value(OUTCOMES, { channel: 'email', gateway: 'postal', outcome: 'failed' }), 5)
    assert.equal(run.value(OUTCOMES, { channel: 'email', gateway: 'log', outcome: 'failed' }), 0)
    assert.equal(run.histogramCount({ channel: 'email', gateway: 'log' }), 12)
    assert.equal(run.histogramCount({ channel: 'email', gateway: 'postal' }), 3)

    // A well-formed histogram: cumulative buckets ending at +Inf = count
    const latency = after.histogram(LATENCY, { channel: 'email', gateway: 'postal' })
    const cumulative = Object.entries(latency.buckets)
      .sort(([a], [b]) => (a === '+Inf' ? 1 : b === '+Inf' ? -1 : Number(a) - Number(b)))
      .map(([, count]) => count)
    assert.deepEqual(
      cumulative,
      [...cumulative].sort((a, b) => a - b)
    )
    assert.equal(cumulative.at(-1), latency.count)
    assert.isAtLeast(latency.sum, 0)

    assert.equal(after.value(QUEUE_JOBS, { priority: 'P1', state: 'waiting' }), 0)
    assert.equal(after.family(OUTCOMES).type, 'counter')
    assert.equal(after.family(LATENCY).type, 'histogram')
    assert.equal(after.family(QUEUE_JOBS).type, 'gauge')
    assert.isNotEmpty(after.family(OUTCOMES).help)
  })

  test('without the token, or with another one: 401 in the API’s error shape', async ({
    client,
    assert,
  }) => {
    const missing = await client.get('/metrics')
    missing.assertStatus(401)
    assert.equal(missing.body().errors[0].code, 'E_UNAUTHORIZED')

    const wrong = await client.get('/metrics').headers({ authorization: 'Bearer not-the-token' })
    wrong.assertStatus(401)
    assert.deepEqual(wrong.body(), missing.body())

    const { headers } = await createTenant()
    const tenantKey = await client.get('/metrics').headers(headers)
    tenantKey.assertStatus(401)
  })
})
