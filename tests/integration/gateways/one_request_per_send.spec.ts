import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import https from 'node:https'
import type { AddressInfo, Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { EgressPolicy, type EgressResolver } from '#messaging/egress/egress_policy'
import { FcmAgent, FcmCall } from '#messaging/vendors/fcm/agent'
import { FcmGateway } from '#messaging/vendors/fcm/gateway'
import type { Gateway } from '#messaging/channels/gateway'
import { sendThrough } from '#messaging/channels/send_through'
import {
  ADDRESSED_PROVIDER_TYPES,
  gatewayAt,
  messageFor,
  type AddressedProviderType,
} from '#tests/helpers/egress'
import { waitUntil } from '#tests/helpers/wait'

/**
 * firebase-admin would retry at once, then after 1 s and 2 s (the SES SDK
 * after about 0.1 s): a second request would have come by then.
 */
const PAST_THE_SDK_RETRY_DELAYS_MS = 1_500

type Behaviour = 'accept' | 'unavailable' | 'reset' | 'silent'

/**
 * A fake vendor that answers every request the same way and counts what it
 * reads: `accept` an FCM message name, `unavailable` a 503 (FCM's, no
 * Retry-After), `reset` closes the connection once it has read the request,
 * `silent` never answers. It also counts the connections the client closed.
 */
class CountingVendor {
  requests = 0
  closedByClient = 0
  #server: Server
  #port = 0

  constructor(behaviour: Behaviour) {
    this.#server = createServer((request, response) => {
      request.resume()
      request.on('end', () => {
        this.requests++
        if (behaviour === 'accept') {
          response.writeHead(200, { 'content-type': 'application/json' })
          response.end(JSON.stringify({ name: `projects/one-request/messages/${randomUUID()}` }))
        } else if (behaviour === 'unavailable') {
          response.writeHead(503, { 'content-type': 'application/json' })
          response.end(
            JSON.stringify({
              error: { code: 503, message: 'The service is unavailable.', status: 'UNAVAILABLE' },
            })
          )
        } else if (behaviour === 'reset') {
          request.socket.destroy()
        }
      })
    })
    // Longer than the gateway's idle timeout: the client is the one to close
    this.#server.keepAliveTimeout = 30_000
    this.#server.on('connection', (socket: Socket) => {
      socket.on('end', () => this.closedByClient++)
    })
  }

  get url() {
    return `http://127.0.0.1:${this.#port}`
  }

  get port() {
    return this.#port
  }

  async start() {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    this.#port = (this.#server.address() as AddressInfo).port
    return this
  }

  async stop() {
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server.close(() => resolve()))
  }
}

function fcmAt(baseUrl: string, timeoutMs: number, resolver?: EgressResolver) {
  return new FcmGateway({
    projectId: 'one-request',
    serviceAccount: {},
    baseUrl,
    timeoutMs,
    policy: new EgressPolicy(['127.0.0.0/8'], resolver),
  })
}

/** Runs `work` with a fake of that behaviour and a gateway of `type` at it, both closed after */
async function withFake(
  behaviour: Behaviour,
  type: AddressedProviderType,
  timeoutMs: number,
  work: (fake: CountingVendor, gateway: Gateway) => Promise<void>
) {
  const fake = await new CountingVendor(behaviour).start()
  const gateway = gatewayAt(type, fake.url, new EgressPolicy(['127.0.0.0/8']), timeoutMs)
  try {
    await work(fake, gateway)
  } finally {
    await gateway.close()
    await fake.stop()
  }
}

test.group('Every SDK gateway: one send is at most one request to the vendor', () => {
  test('{type}, the vendor {failure}: one request, handed back as a retry')
    .with(
      ADDRESSED_PROVIDER_TYPES.flatMap((type) => [
        { type, behaviour: 'unavailable' as const, failure: 'answers 503' },
        { type, behaviour: 'reset' as const, failure: 'resets the connection after the request' },
      ])
    )
    .run(async ({ assert }, { type, behaviour }) => {
      await withFake(behaviour, type, 5_000, async (fake, gateway) => {
        const result = await sendThrough(gateway, messageFor(type))

        assert.containSubset(result, { ok: false, errorClass: 'retry' })
        await sleep(PAST_THE_SDK_RETRY_DELAYS_MS)
        assert.equal(fake.requests, 1)
      })
    })

  test('{type}: an idle connection is closed by the gateway before a server would close it')
    .with(ADDRESSED_PROVIDER_TYPES.map((type) => ({ type })))
    .run(async ({ assert }, { type }) => {
      await withFake('accept', type, 10_000, async (fake, gateway) => {
        await sendThrough(gateway, messageFor(type))

        assert.equal(fake.requests, 1)
        await waitUntil('the idle connection to be closed', async () => fake.closedByClient === 1, {
          timeoutMs: 5_000,
        })
      })
    })
})

test.group('FCM gateway: a send ends with its deadline', () => {
  test('a send past its deadline ends its request: FCM sees the connection closed', async ({
    assert,
  }) => {
    await withFake('silent', 'fcm', 300, async (fake, gateway) => {
      const result = await sendThrough(gateway, messageFor('fcm'))

      assert.containSubset(result, { ok: false, errorClass: 'retry', code: 'TIMEOUT' })
      await waitUntil('the abandoned request to be closed', async () => fake.closedByClient === 1, {
        timeoutMs: 3_000,
      })
      await sleep(PAST_THE_SDK_RETRY_DELAYS_MS)
      assert.equal(fake.requests, 1)
    })
  })

  test('a send whose connection is still being made at its deadline never reaches FCM', async ({
    assert,
  }) => {
    const fake = await new CountingVendor('accept').start()
    let resolved = false
    // The name resolves only after the deadline: the connection would be made then
    const slowResolver: EgressResolver = async () => {
      await sleep(600)
      resolved = true
      return [{ address: '127.0.0.1', family: 4 }]
    }
    const gateway = fcmAt(`http://fcm.slow.test:${fake.port}`, 300, slowResolver)
    try {
      const result = await sendThrough(gateway, messageFor('fcm'))

      assert.containSubset(result, { ok: false, errorClass: 'retry', code: 'TIMEOUT' })
      await waitUntil('the name to resolve', async () => resolved, { timeoutMs: 3_000 })
      await sleep(300)
      assert.equal(fake.requests, 0)
    } finally {
      await gateway.close()
      await fake.stop()
    }
  })

  test('a request the SDK makes after its call ended (a token that came too late) never goes out', async ({
    assert,
  }) => {
    const fake = await new CountingVendor('accept').start()
    const agent = new FcmAgent(new EgressPolicy(['127.0.0.0/8']), new URL(fake.url))
    const call = new FcmCall()
    call.end(new Error('past the deadline'))
    try {
      const outcome = await call.run(
        () =>
          new Promise<string>((resolve) => {
            const request = https.request(
              'https://fcm.googleapis.com/v1/projects/one-request/messages:send',
              { method: 'POST', agent },
              () => resolve('answered')
            )
            request.on('error', (error) => resolve(error.message))
            request.end('{}')
          })
      )

      assert.equal(outcome, 'past the deadline')
      await sleep(300)
      assert.equal(fake.requests, 0)
    } finally {
      agent.destroy()
      await fake.stop()
    }
  })
})
