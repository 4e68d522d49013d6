import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { FakeRequest } from '#messaging/vendors/fakes/fake_provider_server'
import { createTenant } from '#tests/helpers/tenants'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'
import {
  messageWithEvents,
  startSandbox,
  statusOf,
  type SandboxFakes,
} from '#tests/helpers/sandbox'

/**
 * "100 a minute" scaled down to 100 per 3 seconds so the campaign takes
 * seconds, not minutes; the bulk lanes get 80% of it.
 */
const LIMIT = 100
const WINDOW_MS = 3_000
const BULK_SHARE = 0.8
const WORKER_ENV = {
  DOMAIN_RATE_LIMITS: `gmail.com=${LIMIT}/${WINDOW_MS / 1000}`,
  BULK_DOMAIN_SHARE: String(BULK_SHARE),
}
/**
 * Room for the way from the limiter to the fake: a send admitted at t arrives
 * a little later, by how much depends on how busy the machine is.
 */
const ARRIVAL_SLACK_MS = 500

/** The most sends that arrived within any span of `spanMs`. */
function busiestSpan(arrivals: number[], spanMs: number) {
  const sorted = [...arrivals].sort((a, b) => a - b)
  let most = 0
  let first = 0
  for (const [last, time] of sorted.entries()) {
    while (time - sorted[first] >= spanMs) first++
    most = Math.max(most, last - first + 1)
  }
  return most
}

function arrivalsTo(requests: FakeRequest[], domain: string, except: string[] = []) {
  return requests
    .filter((request) => request.path.startsWith('/api/v1/send/message'))
    .filter((request) => request.rawBody.includes(`@${domain}`))
    .filter((request) => !except.some((id) => request.rawBody.includes(id)))
    .map((request) => request.receivedAt)
}

test.group('Routing: per-domain rate limits shared by worker processes', (group) => {
  let fakes: SandboxFakes
  let workers: WorkerProcess[]

  group.setup(async () => {
    fakes = await startSandbox()
    // Only the sends are measured; delivery callbacks would just load the test process
    fakes.postal.callbacks.muted = true
    workers = await Promise.all([
      WorkerProcess.start('P3', WORKER_ENV),
      WorkerProcess.start('P3', WORKER_ENV),
      WorkerProcess.start('P0', WORKER_ENV),
    ])
    return async () => {
      await Promise.all(workers.map((worker) => worker.stop()))
      await fakes.sandbox.stop()
    }
  })

  test('a 1,000-message campaign to gmail.com keeps to the limit, other domains and a P0 are not held', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const gmail = Array.from({ length: 1000 }, (_, index) => ({ recipient: `c${index}@gmail.com` }))
    const others = Array.from({ length: 100 }, (_, index) => ({
      recipient: `c${index}@example.com`,
    }))
    const bulk = await client
      .post('/api/v1/messages/bulk')
      .headers(headers)
      .json({
        channel: 'email',
        priority: 'P3',
        messageType: 'campaign',
        subject: 'Autumn sale',
        content: { text: 'Everything must go' },
        recipients: [...gmail, ...others],
      })
    bulk.assertStatus(201)
    assert.equal(bulk.body().queued, 1100)

    // Mid-campaign, an urgent message to the same domain
    await waitUntil('the campaign to be under way', async () => {
      const sent = await db
        .from('messages')
        .where('tenant_id', tenant.id)
        .whereNotNull('sent_at')
        .count('* as count')
        .first()
      return Number(sent.count) >= 200
    })
    const urgent = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({
        channel: 'email',
        priority: 'P0',
        recipient: 'oncall@gmail.com',
        subject: 'Database down',
        content: { text: 'Page' },
      })
    urgent.assertStatus(201)
    const urgentId = urgent.body().id
    await waitUntil('the P0 message to be sent', async () =>
      ['sent', 'delivered'].includes((await statusOf(urgentId)) ?? '')
    )

    // Every message goes out, none failed
    await waitUntil(
      'the whole campaign to be sent',
      async () => {
        const pending = await db
          .from('messages')
          .where('tenant_id', tenant.id)
          .whereNotIn('status', ['sent', 'delivered'])
          .count('* as count')
          .first()
        return Number(pending.count) === 0
      },
      { timeoutMs: 120_000, intervalMs: 500 }
    )

    // The P0 went out at once, while the campaign was still waiting for gmail.com
    const p0 = await messageWithEvents(urgentId)
    assert.notInclude(p0.types, 'deferred')
    const stillWaiting = await db
      .from('messages')
      .where('tenant_id', tenant.id)
      .where('priority', 'P3')
      .where('recipient_domain', 'gmail.com')
      .where('sent_at', '>', p0.message.sent_at)
      .count('* as count')
      .first()
    assert.isAbove(Number(stillWaiting.count), 100)

    // The campaign was throttled, never failed, and sent each message once
    const deferred = await db
      .from('delivery_events')
      .where('tenant_id', tenant.id)
      .where('type', 'deferred')
      .count('* as count')
      .first()
    assert.isAbove(Number(deferred.count), 0)
    const failures = await db
      .from('delivery_events')
      .where('tenant_id', tenant.id)
      .whereIn('type', ['failed', 'retrying'])
      .count('* as count')
      .first()
    assert.equal(Number(failures.count), 0)
    const ids = await db.from('messages').where('tenant_id', tenant.id).select('id')
    assert.lengthOf(ids, 1101)
    for (const { id } of ids) {
      assert.equal(fakes.postal.sendsByMessageId.get(id), 1, `message ${id} sent once`)
    }

    // At the gateway: never more than the limit in a window, the campaign within its share
    const gmailArrivals = arrivalsTo(fakes.postal.received, 'gmail.com')
    assert.lengthOf(gmailArrivals, 1001)
    assert.isAtMost(busiestSpan(gmailArrivals, WINDOW_MS - ARRIVAL_SLACK_MS), LIMIT)
    const campaignArrivals = arrivalsTo(fakes.postal.received, 'gmail.com', [urgentId])
    assert.isAtMost(busiestSpan(campaignArrivals, WINDOW_MS - ARRIVAL_SLACK_MS), LIMIT * BULK_SHARE)

    // Other domains were not slowed: none deferred, all done before gmail.com's campaign
    const otherDomain = await db
      .from('messages')
      .where('tenant_id', tenant.id)
      .where('recipient_domain', 'example.com')
      .max('sent_at as last')
      .first()
    const gmailDone = await db
      .from('messages')
      .where('tenant_id', tenant.id)
      .where('recipient_domain', 'gmail.com')
      .max('sent_at as last')
      .first()
    assert.isBelow(otherDomain.last.getTime(), gmailDone.last.getTime())
    const otherDeferred = await db
      .from('delivery_events as e')
      .join('messages as m', 'm.id', 'e.message_id')
      .where('m.tenant_id', tenant.id)
      .where('m.recipient_domain', 'example.com')
      .where('e.type', 'deferred')
      .count('* as count')
      .first()
    assert.equal(Number(otherDeferred.count), 0)
  }).timeout(180_000)
})
