import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { GatewayHealth } from '#messaging/routing/gateway_health'
import { TWILIO_MAGIC_NUMBERS } from '#messaging/vendors/twilio/magic_recipients'
import type { FakeProviderServer } from '#messaging/vendors/fakes/fake_provider_server'
import { createTenant } from '#tests/helpers/tenants'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'
import {
  messageWithEvents,
  startSandbox,
  statusOf,
  type SandboxFakes,
} from '#tests/helpers/sandbox'

/** Small numbers so a test sees the circuit open and recover in seconds */
const WORKER_ENV = {
  CIRCUIT_FAILURE_THRESHOLD: '3',
  CIRCUIT_COOLDOWN_SECONDS: '6',
  RETRY_BASE_DELAY_MS: '200',
}

const POSTAL_DOWN = {
  status: 503,
  headers: { 'content-type': 'text/html' },
  body: '<html><body><h1>503 Service Unavailable</h1></body></html>',
}

async function send(client: ApiClient, headers: Record<string, string>, body: object) {
  const response = await client.post('/api/v1/messages').headers(headers).json(body)
  response.assertStatus(201)
  return response.body().id as string
}

async function sendEmail(client: ApiClient, headers: Record<string, string>, label: string) {
  const id = await send(client, headers, {
    channel: 'email',
    recipient: `ada+${label}@example.com`,
    subject: 'Hello',
    content: { text: 'Hello' },
  })
  await waitUntil(`${label} to be sent`, async () => {
    const status = await statusOf(id)
    return status === 'sent' || status === 'delivered'
  })
  return messageWithEvents(id)
}

/** Requests a fake received that carry this message id (in a header, body or callback URL) */
function requestsFor(fake: FakeProviderServer, messageId: string) {
  return fake.received.filter(
    (request) =>
      request.rawBody.includes(messageId) ||
      Object.values(request.headers).some((value) => String(value).includes(messageId))
  )
}

/** The `sent` event (Postal's delivery callback may already have added one after it) */
function sentEventOf({ events }: Awaited<ReturnType<typeof messageWithEvents>>) {
  return events.find((event) => event.type === 'sent')!
}

function postalSends(fakes: SandboxFakes) {
  return fakes.postal.received.filter((request) => request.path.startsWith('/api/v1/send/message'))
    .length
}

test.group('Routing: failover, circuit breaker, retries and fallback', (group) => {
  let fakes: SandboxFakes
  let workers: WorkerProcess[]

  group.setup(async () => {
    fakes = await startSandbox()
    workers = [await WorkerProcess.start('P4', WORKER_ENV)]
    return async () => {
      await Promise.all(workers.map((worker) => worker.stop()))
      await fakes.sandbox.stop()
    }
  })

  test('Postal answering 5xx: mail fails over to SES in the same attempt, the circuit opens, and a probe closes it once Postal is back', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const health = await app.container.make(GatewayHealth)
    fakes.postal.outage = POSTAL_DOWN

    // The first message: Postal fails, SES carries it, one attempt
    const first = await sendEmail(client, headers, 'first')
    assert.match(first.message.gateway, /^ses:/)
    assert.equal(first.message.attempts, 1)
    assert.deepEqual(first.types, ['queued', 'sending', 'failover', 'sent'])
    const failover = first.events[2]
    assert.match(failover.gateway, /^postal:/)
    assert.equal(failover.details.next, first.message.gateway)
    const postalKey = failover.gateway as string

    // Two more failures reach the threshold: the circuit opens
    await sendEmail(client, headers, 'second')
    await sendEmail(client, headers, 'third')
    const opened = await health.snapshot(postalKey)
    assert.equal(opened.state, 'open')
    assert.equal(postalSends(fakes), 3)

    // While it is open, mail goes straight to SES: Postal is not even asked
    for (const label of ['open-1', 'open-2', 'open-3']) {
      const sent = await sendEmail(client, headers, label)
      assert.match(sent.message.gateway, /^ses:/)
      assert.deepEqual(sent.types, ['queued', 'sending', 'sent'])
      assert.deepEqual(sent.events[2].details.skipped, [{ key: postalKey, reason: 'circuit open' }])
    }
    assert.equal(postalSends(fakes), 3)

    // Postal recovers; after the cool-down one probe goes to it and closes the circuit
    fakes.postal.outage = null
    await waitUntil(
      'the cool-down to pass',
      async () => {
        const { openedAt } = await health.snapshot(postalKey)
        return openedAt && Date.now() > openedAt.getTime() + 6_000
      },
      { timeoutMs: 20_000 }
    )
    const probe = await sendEmail(client, headers, 'probe')
    assert.equal(probe.message.gateway, postalKey)
    assert.include(sentEventOf(probe).reason, 'half-open probe')
    const closed = await health.snapshot(postalKey)
    assert.equal(closed.state, 'closed')

    const after = await sendEmail(client, headers, 'after')
    assert.equal(after.message.gateway, postalKey)
    assert.include(sentEventOf(after).reason, 'first choice')
  }).timeout(60_000)

  test('a 429 from Twilio backs off and the message goes out on a later attempt', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const id = await send(client, headers, {
      channel: 'sms',
      recipient: TWILIO_MAGIC_NUMBERS.rateLimitedOnce,
      content: { text: 'Your code is 1234' },
    })

    await waitUntil('the throttled sms to be sent', async () =>
      ['sent', 'delivered'].includes((await statusOf(id)) ?? '')
    )
    const { message, types, events } = await messageWithEvents(id)
    assert.equal(message.attempts, 2)
    assert.deepEqual(types.slice(0, 6), [
      'queued',
      'sending',
      'failover',
      'retrying',
      'sending',
      'sent',
    ])
    const retrying = events[3]
    assert.equal(retrying.details.code, 'TWILIO_20429')
    assert.isAbove(
      new Date(retrying.details.nextAttemptAt).getTime(),
      retrying.created_at.getTime()
    )
    assert.lengthOf(requestsFor(fakes.twilio, id), 2)
    assert.equal(fakes.twilio.sendsByMessageId.get(id), 1)
  }).timeout(30_000)

  test('a permanent Twilio error (21211) fails at once, without a retry', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const id = await send(client, headers, {
      channel: 'sms',
      recipient: TWILIO_MAGIC_NUMBERS.invalidNumber,
      content: { text: 'Hello' },
    })

    await waitUntil('the sms to fail', async () => (await statusOf(id)) === 'failed')
    const { message, types } = await messageWithEvents(id)
    assert.equal(message.attempts, 1)
    assert.equal(message.last_error_code, 'TWILIO_21211')
    assert.deepEqual(types, ['queued', 'sending', 'failed'])
    assert.lengthOf(requestsFor(fakes.twilio, id), 1)
  })

  test('push → sms fallback: an unregistered token ends with a linked SMS message sent', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const id = await send(client, headers, {
      channel: 'push',
      recipient: `unregistered-${'x'.repeat(40)}`,
      subject: 'Your code',
      content: { text: 'Your code is 1234' },
      fallback: [{ channel: 'sms', recipient: TWILIO_MAGIC_NUMBERS.delivered }],
    })

    const linked = await waitUntil('the linked sms to be sent', async () => {
      const row = await db.from('messages').where('parent_message_id', id).first()
      return row && ['sent', 'delivered'].includes(row.status) ? row : null
    })
    assert.equal(linked.channel, 'sms')
    assert.equal(linked.recipient, TWILIO_MAGIC_NUMBERS.delivered)
    assert.equal(linked.content.text, 'Your code is 1234')
    assert.match(linked.gateway, /^twilio:/)
    assert.equal(fakes.twilio.sendsByMessageId.get(linked.id), 1)

    const push = await messageWithEvents(id)
    assert.equal(push.message.status, 'failed')
    const fallbackEvent = push.events.find((event) => event.details?.fallbackMessageId)
    assert.equal(fallbackEvent?.details.fallbackMessageId, linked.id)
    assert.equal(fallbackEvent?.reason, 'falling back to sms')

    const shown = await client.get(`/api/v1/messages/${linked.id}`).headers(headers)
    assert.equal(shown.body().parentMessageId, id)
  }).timeout(30_000)

  test('a fallback step is checked at accept time like the message itself', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const base = {
      channel: 'push',
      recipient: `device-${'x'.repeat(40)}`,
      subject: 'Hi',
      content: { text: 'Hello' },
    }

    const badPhone = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ ...base, fallback: [{ channel: 'sms', recipient: '555-0100' }] })
    badPhone.assertStatus(422)
    assert.equal(badPhone.body().errors[0].field, 'fallback.0.recipient')

    const noSmsText = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({
        ...base,
        content: { data: { orderId: '42' } },
        fallback: [{ channel: 'sms', recipient: TWILIO_MAGIC_NUMBERS.delivered }],
      })
    noSmsText.assertStatus(422)
  })
})
