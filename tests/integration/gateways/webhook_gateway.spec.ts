import { randomUUID } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import { Channel } from '#enums/channel'
import type { GatewayErrorClass } from '#messaging/channels/gateway'
import type { SmsOutbound, WebhookOutbound } from '#messaging/channels/outbound'
import { sendThrough } from '#messaging/channels/send_through'
import { SignedWebhookGateway } from '#messaging/vendors/webhook/gateway'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { verifyWebhookSignature } from '#messaging/signing/webhook_signature'

const SECRET = 'whsec_test_secret'
/** The receiver is on loopback, as EGRESS_ALLOW=127.0.0.0/8 lets the tests' receivers be */
const LOOPBACK_ALLOWED = new EgressPolicy(['127.0.0.0/8'])

/** What the tenant's receiver answers, by path; /slow never answers */
const REPLIES: Record<string, { status: number; headers?: Record<string, string> }> = {
  '/ok': { status: 200 },
  '/accepted': { status: 202 },
  '/fail': { status: 500, headers: { 'Retry-After': '7' } },
  '/unavailable': { status: 503 },
  '/throttle': { status: 429, headers: { 'Retry-After': '30' } },
  '/request-timeout': { status: 408 },
  '/gone': { status: 410 },
  '/bad': { status: 400 },
  '/unauthorized': { status: 401 },
  '/moved': { status: 302, headers: { Location: 'http://127.0.0.1:1/elsewhere' } },
}

interface ReceivedWebhook {
  path: string
  headers: IncomingHttpHeaders
  rawBody: string
}

/** Stands in for a tenant's webhook endpoint */
async function startReceiver() {
  const received: ReceivedWebhook[] = []
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const path = req.url ?? '/'
    received.push({ path, headers: req.headers, rawBody: Buffer.concat(chunks).toString('utf8') })
    const reply = REPLIES[path]
    if (reply) res.writeHead(reply.status, reply.headers).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    received,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    stop: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A port nothing listens on: connecting to it is refused */
async function closedPortUrl() {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/hook`
}

function webhook(url: string): WebhookOutbound {
  const messageId = randomUUID()
  return {
    channel: Channel.Webhook,
    messageId,
    tenantId: randomUUID(),
    messageType: 'test.message',
    url,
    payload: { id: messageId, subject: 'order.shipped', text: null, data: { orderId: 42 } },
  }
}

test.group('Webhook gateway against a local receiver', (group) => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  const gateway = new SignedWebhookGateway({
    secret: SECRET,
    timeoutMs: 2_000,
    policy: LOOPBACK_ALLOWED,
  })

  group.setup(async () => {
    receiver = await startReceiver()
    return async () => {
      await gateway.close()
      await receiver.stop()
    }
  })

  test('a 2xx delivers a signed JSON POST exactly once', async ({ assert }) => {
    const message = webhook(receiver.url('/ok'))

    const result = await gateway.send(message)

    assert.isTrue(result.ok)
    assert.match(result.ok ? result.providerMessageId : '', /^webhook-[0-9a-f-]{36}$/)
    const deliveries = receiver.received.filter(
      (request) => request.headers['x-switchboard-message-id'] === message.messageId
    )
    assert.lengthOf(deliveries, 1)
    const [delivery] = deliveries
    assert.equal(delivery.headers['content-type'], 'application/json')
    assert.equal(delivery.headers['idempotency-key'], message.messageId)
    assert.deepEqual(JSON.parse(delivery.rawBody), message.payload)
    assert.closeTo(Number(delivery.headers['x-switchboard-timestamp']), Date.now() / 1000, 5)
  })

  test('the signature verifies with the shared secret and fails on any change', async ({
    assert,
  }) => {
    const message = webhook(receiver.url('/accepted'))
    await gateway.send(message)
    const delivery = receiver.received.find(
      (request) => request.headers['x-switchboard-message-id'] === message.messageId
    )!
    const check = {
      secret: SECRET,
      signature: delivery.headers['x-switchboard-signature'] as string,
      timestamp: delivery.headers['x-switchboard-timestamp'] as string,
      rawBody: delivery.rawBody,
    }

    assert.match(check.signature, /^v1=[0-9a-f]{64}$/)
    assert.isTrue(verifyWebhookSignature(check))
    assert.isFalse(verifyWebhookSignature({ ...check, secret: 'another-secret' }))
    assert.isFalse(verifyWebhookSignature({ ...check, rawBody: `${check.rawBody} ` }))
    assert.isFalse(
      verifyWebhookSignature({ ...check, timestamp: String(Number(check.timestamp) + 1) })
    )
    assert.isFalse(verifyWebhookSignature({ ...check, nowMs: Date.now() + 10 * 60_000 }))
    assert.isFalse(verifyWebhookSignature({ ...check, signature: undefined }))
  })

  test('a receiver answering {path} is classified {errorClass} ({code})')
    .with<
      Array<{
        path: string
        errorClass: GatewayErrorClass
        code: string
        retryAfterMs?: number
      }>
    >([
      { path: '/fail', errorClass: 'retry', code: 'HTTP_500', retryAfterMs: 7_000 },
      { path: '/unavailable', errorClass: 'retry', code: 'HTTP_503' },
      { path: '/throttle', errorClass: 'retry', code: 'HTTP_429', retryAfterMs: 30_000 },
      { path: '/request-timeout', errorClass: 'retry', code: 'HTTP_408' },
      { path: '/gone', errorClass: 'suppress', code: 'HTTP_410' },
      { path: '/bad', errorClass: 'permanent', code: 'HTTP_400' },
      { path: '/unauthorized', errorClass: 'permanent', code: 'HTTP_401' },
      { path: '/moved', errorClass: 'permanent', code: 'HTTP_302' },
    ])
    .run(async ({ assert }, row) => {
      const result = await gateway.send(webhook(receiver.url(row.path)))

      assert.include(result, { ok: false, errorClass: row.errorClass, code: row.code })
      assert.equal(result.ok ? undefined : result.retryAfterMs, row.retryAfterMs)
    })

  test('a receiver slower than the timeout is retried', async ({ assert }) => {
    const startedAt = Date.now()

    const result = await new SignedWebhookGateway({
      secret: SECRET,
      timeoutMs: 300,
      policy: LOOPBACK_ALLOWED,
    }).send(webhook(receiver.url('/slow')))

    assert.include(result, { ok: false, errorClass: 'retry', code: 'TIMEOUT' })
    assert.isBelow(Date.now() - startedAt, 2_000)
  })

  test('an unreachable receiver is retried', async ({ assert }) => {
    const result = await gateway.send(webhook(await closedPortUrl()))

    assert.include(result, { ok: false, errorClass: 'retry', code: 'NETWORK_ERROR' })
  })

  test('"{$self}" is refused: https, or plain http to loopback only')
    .with(['http://example.com/hook', 'http://10.0.0.7/hook', 'ftp://127.0.0.1/hook', 'not a url'])
    .run(async ({ assert }, url) => {
      const result = await gateway.send(webhook(url))

      assert.include(result, { ok: false, errorClass: 'permanent', code: 'INVALID_URL' })
    })

  test('a message of another channel is refused', async ({ assert }) => {
    const sms: SmsOutbound = {
      channel: Channel.Sms,
      messageId: randomUUID(),
      tenantId: randomUUID(),
      messageType: 'test.message',
      to: '+15005550006',
      body: 'hello',
      encoding: 'GSM-7',
      segments: 1,
    }

    const result = await sendThrough(gateway, sms)

    assert.include(result, { ok: false, errorClass: 'permanent', code: 'UNSUPPORTED_CHANNEL' })
  })
})
