import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import twilio from 'twilio'
import { Channel } from '#enums/channel'
import type { GatewayErrorClass } from '#messaging/channels/gateway'
import type { PushOutbound, SmsOutbound } from '#messaging/channels/outbound'
import { sendThrough } from '#messaging/channels/send_through'
import {
  TWILIO_CALLBACK_MESSAGE_ID_PARAM,
  TwilioGateway,
  type TwilioGatewayConfig,
} from '#messaging/vendors/twilio/gateway'
import { TwilioFakeServer } from '#messaging/vendors/twilio/fake'
import { TWILIO_MAGIC_NUMBERS } from '#messaging/vendors/twilio/magic_recipients'

const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`
const AUTH_TOKEN = 'twilio-test-auth-token'
const FROM = '+15005550006'

/** The fakes listen on loopback, which the operator allows here as in the sandbox */
const policy = new EgressPolicy(['127.0.0.0/8'])

function sms(to: string): SmsOutbound {
  return {
    channel: Channel.Sms,
    messageId: randomUUID(),
    tenantId: randomUUID(),
    messageType: 'test.message',
    to,
    body: 'Your Switchboard code is 123456',
    encoding: 'GSM-7',
    segments: 1,
  }
}

interface StatusCallback {
  url: string
  signature: string | undefined
  params: Record<string, string>
}

/** Stands in for our Twilio status webhook: records every callback as received */
async function startStatusReceiver() {
  const received: StatusCallback[] = []
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const { port } = server.address() as AddressInfo
    received.push({
      url: `http://127.0.0.1:${port}${req.url}`,
      signature: req.headers['x-twilio-signature'] as string | undefined,
      params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))),
    })
    res.writeHead(204).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    received,
    url: `http://127.0.0.1:${port}/webhooks/twilio/status`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A port nothing listens on: connecting to it is refused */
async function closedPortUrl() {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

test.group('Twilio gateway, through the twilio SDK, against the fake Twilio', (group) => {
  const fake = new TwilioFakeServer({
    accountSid: ACCOUNT_SID,
    authToken: AUTH_TOKEN,
    callbacks: true,
  })
  let receiver: Awaited<ReturnType<typeof startStatusReceiver>>

  function gateway(overrides: Partial<TwilioGatewayConfig> = {}) {
    return new TwilioGateway({
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: FROM,
      baseUrl: fake.baseUrl,
      statusCallbackUrl: receiver.url,
      timeoutMs: 2_000,
      policy,
      ...overrides,
    })
  }

  group.setup(async () => {
    await fake.start(0)
    receiver = await startStatusReceiver()
    return async () => {
      await fake.stop()
      await fake.statusCallbacks.drain()
      await receiver.stop()
    }
  })

  test('an accepted SMS returns its SM sid, and Twilio counted one send for our id', async ({
    assert,
  }) => {
    const message = sms(TWILIO_MAGIC_NUMBERS.delivered)

    const result = await gateway().send(message)

    assert.isTrue(result.ok)
    assert.match(result.ok ? result.providerMessageId : '', /^SM[0-9a-f]{32}$/)
    assert.equal(fake.sendsByMessageId.get(message.messageId), 1)

    const form = new URLSearchParams(fake.received.at(-1)!.rawBody)
    assert.equal(form.get('To'), message.to)
    assert.equal(form.get('From'), FROM)
    assert.equal(form.get('Body'), message.body)
    const statusCallback = new URL(form.get('StatusCallback')!)
    assert.equal(
      statusCallback.searchParams.get(TWILIO_CALLBACK_MESSAGE_ID_PARAM),
      message.messageId
    )
  })

  test('with a Messaging Service the service SID is sent instead of From', async ({ assert }) => {
    const messagingServiceSid = `MG${'f'.repeat(32)}`
    const result = await gateway({ from: undefined, messagingServiceSid }).send(
      sms(TWILIO_MAGIC_NUMBERS.delivered)
    )

    assert.isTrue(result.ok)
    const form = new URLSearchParams(fake.received.at(-1)!.rawBody)
    assert.equal(form.get('MessagingServiceSid'), messagingServiceSid)
    assert.isNull(form.get('From'))
  })

  test('{number} is classified {errorClass} ({code})')
    .with<
      Array<{
        number: keyof typeof TWILIO_MAGIC_NUMBERS
        errorClass: GatewayErrorClass
        code: string
      }>
    >([
      { number: 'invalidNumber', errorClass: 'suppress', code: 'TWILIO_21211' },
      { number: 'notMobile', errorClass: 'suppress', code: 'TWILIO_21614' },
      { number: 'optedOut', errorClass: 'suppress', code: 'TWILIO_21610' },
      { number: 'rateLimited', errorClass: 'retry', code: 'TWILIO_20429' },
      { number: 'serverError', errorClass: 'retry', code: 'TWILIO_20500' },
    ])
    .run(async ({ assert }, row) => {
      const message = sms(TWILIO_MAGIC_NUMBERS[row.number])

      const result = await gateway().send(message)

      assert.isFalse(result.ok)
      assert.include(result, { errorClass: row.errorClass, code: row.code })
      assert.isFalse(fake.sendsByMessageId.has(message.messageId))
    })

  test('wrong credentials (20003) are a configuration error', async ({ assert }) => {
    const result = await gateway({ authToken: 'not-the-token' }).send(
      sms(TWILIO_MAGIC_NUMBERS.delivered)
    )

    assert.include(result, { ok: false, errorClass: 'config', code: 'TWILIO_20003' })
  })

  test('a reply slower than the timeout is retried', async ({ assert }) => {
    const startedAt = Date.now()

    const result = await gateway({ timeoutMs: 300 }).send(sms(TWILIO_MAGIC_NUMBERS.hangs))

    assert.include(result, { ok: false, errorClass: 'retry', code: 'TIMEOUT' })
    assert.isBelow(Date.now() - startedAt, 2_000)
  })

  test('an unreachable API is retried', async ({ assert }) => {
    const result = await gateway({ baseUrl: await closedPortUrl() }).send(
      sms(TWILIO_MAGIC_NUMBERS.delivered)
    )

    assert.include(result, { ok: false, errorClass: 'retry', code: 'NETWORK_ERROR' })
  })

  test('a message of another channel is refused without calling Twilio', async ({ assert }) => {
    const requestsBefore = fake.received.length
    const push: PushOutbound = {
      channel: Channel.Push,
      messageId: randomUUID(),
      tenantId: randomUUID(),
      messageType: 'test.message',
      token: 'device-token',
      title: 'Hi',
      body: 'there',
      data: {},
    }

    const result = await sendThrough(gateway(), push)

    assert.include(result, { ok: false, errorClass: 'permanent', code: 'UNSUPPORTED_CHANNEL' })
    assert.equal(fake.received.length, requestsBefore)
  })

  test('{number} reports {statuses} in status callbacks signed like Twilio')
    .with<
      Array<{
        number: keyof typeof TWILIO_MAGIC_NUMBERS
        statuses: string[]
        errorCode: string | undefined
      }>
    >([
      { number: 'delivered', statuses: ['sent', 'delivered'], errorCode: undefined },
      { number: 'unreachable', statuses: ['sent', 'undelivered'], errorCode: '30003' },
      { number: 'unknownHandset', statuses: ['sent', 'undelivered'], errorCode: '30005' },
      { number: 'filtered', statuses: ['failed'], errorCode: '30007' },
    ])
    .run(async ({ assert }, row) => {
      const message = sms(TWILIO_MAGIC_NUMBERS[row.number])

      const result = await gateway().send(message)
      await fake.statusCallbacks.drain()

      assert.isTrue(result.ok)
      const sid = result.ok ? result.providerMessageId : ''
      const callbacks = receiver.received.filter((callback) => callback.params.MessageSid === sid)
      assert.deepEqual(
        callbacks.map((callback) => callback.params.MessageStatus),
        row.statuses
      )
      for (const callback of callbacks) {
        const { url, signature, params } = callback
        assert.isTrue(twilio.validateRequest(AUTH_TOKEN, signature ?? '', url, params))
        assert.isFalse(twilio.validateRequest('another-token', signature ?? '', url, params))
        assert.equal(
          new URL(url).searchParams.get(TWILIO_CALLBACK_MESSAGE_ID_PARAM),
          message.messageId
        )
        assert.include(params, { AccountSid: ACCOUNT_SID, To: message.to, From: FROM })
      }
      assert.equal(callbacks.at(-1)!.params.ErrorCode, row.errorCode)
    })
})
