import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { getApps } from 'firebase-admin/app'
import { Channel } from '#enums/channel'
import type { GatewayErrorClass } from '#messaging/channels/gateway'
import type { PushOutbound, SmsOutbound } from '#messaging/channels/outbound'
import { sendThrough } from '#messaging/channels/send_through'
import { FcmGateway, type FcmGatewayConfig } from '#messaging/vendors/fcm/gateway'
import { FcmFakeServer } from '#messaging/vendors/fcm/fake'
import { FCM_MAGIC_TOKEN_PREFIXES } from '#messaging/vendors/fcm/magic_recipients'

const PROJECT_ID = 'switchboard-test'

/** The fakes listen on loopback, which the operator allows here as in the sandbox */
const policy = new EgressPolicy(['127.0.0.0/8'])

function push(token: string, content: { title: string | null; body: string | null }): PushOutbound {
  const messageId = randomUUID()
  return {
    channel: Channel.Push,
    messageId,
    tenantId: randomUUID(),
    messageType: 'test.message',
    token,
    ...content,
    data: { orderId: '42', switchboardMessageId: messageId },
  }
}

const greeting = { title: 'Your order shipped', body: 'It arrives tomorrow' }

/** A port nothing listens on: connecting to it is refused */
async function closedPortUrl() {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

interface SentBody {
  message: {
    token: string
    notification?: { title?: string; body?: string }
    data: Record<string, string>
  }
}

test.group('FCM gateway, through firebase-admin, against the fake FCM', (group) => {
  const fake = new FcmFakeServer({ projectId: PROJECT_ID })
  const gateways: FcmGateway[] = []

  /** Every gateway made here is closed (its Firebase app deleted) after the group */
  function gateway(overrides: Partial<FcmGatewayConfig> = {}) {
    const made = new FcmGateway({
      projectId: PROJECT_ID,
      serviceAccount: {},
      baseUrl: fake.baseUrl,
      timeoutMs: 2_000,
      policy,
      ...overrides,
    })
    gateways.push(made)
    return made
  }

  function lastSent() {
    const request = fake.received.at(-1)!
    return { host: request.headers.host, body: JSON.parse(request.rawBody) as SentBody }
  }

  group.setup(async () => {
    await fake.start(0)
    return async () => {
      await Promise.all(gateways.map((made) => made.close()))
      await fake.stop()
    }
  })

  test('an accepted push returns its message name, and FCM counted one send for our id', async ({
    assert,
  }) => {
    const message = push('device-token-1', greeting)

    const result = await gateway().send(message)

    assert.isTrue(result.ok)
    assert.match(
      result.ok ? result.providerMessageId : '',
      /^projects\/switchboard-test\/messages\//
    )
    assert.equal(fake.sendsByMessageId.get(message.messageId), 1)
    const sent = lastSent()
    assert.equal(sent.host, 'fcm.googleapis.com')
    assert.deepEqual(sent.body.message, {
      token: 'device-token-1',
      notification: greeting,
      data: message.data,
    })
  })

  test('without title and body it is sent as a data-only message', async ({ assert }) => {
    const message = push('device-token-2', { title: null, body: null })

    const result = await gateway().send(message)

    assert.isTrue(result.ok)
    assert.notProperty(lastSent().body.message, 'notification')
    assert.deepEqual(lastSent().body.message.data, message.data)
  })

  test('token {prefix}… is classified {errorClass} ({code})')
    .with<
      Array<{
        prefix: string
        errorClass: GatewayErrorClass
        code: string
      }>
    >([
      {
        prefix: FCM_MAGIC_TOKEN_PREFIXES.unregistered,
        errorClass: 'suppress',
        code: 'messaging/registration-token-not-registered',
      },
      {
        prefix: FCM_MAGIC_TOKEN_PREFIXES.invalid,
        errorClass: 'permanent',
        code: 'messaging/invalid-argument',
      },
      {
        prefix: FCM_MAGIC_TOKEN_PREFIXES.mismatch,
        errorClass: 'config',
        code: 'messaging/mismatched-credential',
      },
      {
        prefix: FCM_MAGIC_TOKEN_PREFIXES.thirdPartyAuth,
        errorClass: 'config',
        code: 'messaging/third-party-auth-error',
      },
      {
        prefix: FCM_MAGIC_TOKEN_PREFIXES.quota,
        errorClass: 'retry',
        code: 'messaging/message-rate-exceeded',
      },
      {
        prefix: FCM_MAGIC_TOKEN_PREFIXES.unavailable,
        errorClass: 'retry',
        code: 'messaging/server-unavailable',
      },
      {
        prefix: FCM_MAGIC_TOKEN_PREFIXES.internal,
        errorClass: 'retry',
        code: 'messaging/internal-error',
      },
    ])
    .run(async ({ assert }, row) => {
      const message = push(`${row.prefix}${randomUUID()}`, greeting)

      const result = await gateway().send(message)

      assert.include(result, { ok: false, errorClass: row.errorClass, code: row.code })
      assert.isFalse(fake.sendsByMessageId.has(message.messageId))
    })

  test('a bearer token FCM does not accept is a configuration error', async ({ assert }) => {
    const strictFake = await new FcmFakeServer({ accessToken: 'another-token' }).start(0)
    try {
      const result = await gateway({ baseUrl: strictFake.baseUrl }).send(
        push('device-token-3', greeting)
      )

      // FCM answers UNAUTHENTICATED, which the SDK reports as a third-party auth error
      assert.include(result, {
        ok: false,
        errorClass: 'config',
        code: 'messaging/third-party-auth-error',
      })
      assert.equal(strictFake.received.length, 1)
    } finally {
      await strictFake.stop()
    }
  })

  test('sending for a project the credential may not use is a configuration error', async ({
    assert,
  }) => {
    const result = await gateway({ projectId: 'someone-elses-project' }).send(
      push('device-token-4', greeting)
    )

    assert.include(result, {
      ok: false,
      errorClass: 'config',
      code: 'messaging/mismatched-credential',
    })
  })

  test('a reply slower than the timeout is retried', async ({ assert }) => {
    const startedAt = Date.now()

    const result = await gateway({ timeoutMs: 300 }).send(
      push(`${FCM_MAGIC_TOKEN_PREFIXES.timeout}${randomUUID()}`, greeting)
    )

    assert.include(result, { ok: false, errorClass: 'retry', code: 'TIMEOUT' })
    assert.isBelow(Date.now() - startedAt, 2_000)
  })

  test('an unreachable FCM is retried', async ({ assert }) => {
    const result = await gateway({ baseUrl: await closedPortUrl() }).send(
      push('device-token-5', greeting)
    )

    assert.include(result, { ok: false, errorClass: 'retry', code: 'app/network-error' })
  })

  test('a message of another channel is refused without calling FCM', async ({ assert }) => {
    const requestsBefore = fake.received.length
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

    const result = await sendThrough(gateway(), sms)

    assert.include(result, { ok: false, errorClass: 'permanent', code: 'UNSUPPORTED_CHANNEL' })
    assert.equal(fake.received.length, requestsBefore)
  })

  test('each gateway has its own Firebase app, deleted by close()', async ({ assert }) => {
    const appsBefore = getApps().length
    const first = new FcmGateway({
      projectId: PROJECT_ID,
      serviceAccount: {},
      baseUrl: fake.baseUrl,
      policy,
    })
    const second = new FcmGateway({
      projectId: PROJECT_ID,
      serviceAccount: {},
      baseUrl: fake.baseUrl,
      policy,
    })
    assert.equal(getApps().length, appsBefore + 2)

    await first.close()
    await second.close()

    assert.equal(getApps().length, appsBefore)
  })
})
