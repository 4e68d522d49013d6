import http, { createServer, type Server } from 'node:http'
import net, { type AddressInfo } from 'node:net'
import type { Assert } from '@japa/assert'
import { test } from '@japa/runner'
import {
  EgressPolicy,
  EgressRefusedError,
  type EgressResolver,
} from '#messaging/egress/egress_policy'
import { EgressHttp } from '#messaging/egress/egress_http'
import { KeepAliveHttpClient } from '#messaging/egress/keep_alive_http'
import { INTERNAL_SECRET, InternalService } from '#tests/helpers/internal_service'

const PUBLIC = { address: '93.184.216.34', family: 4 }
const LOOPBACK = { address: '127.0.0.1', family: 4 }

/** Answers each lookup with the next entry of `answers` (the last one from then on) */
function resolverAnswering(...answers: Array<{ address: string; family: number }>) {
  const asked: string[] = []
  const resolver: EgressResolver = async (hostname) => {
    asked.push(hostname)
    return [answers[Math.min(asked.length - 1, answers.length - 1)]]
  }
  return { resolver, asked }
}

/** One request through an agent with raw options, no WHATWG URL parsing on the way */
function rawRequest(agent: http.Agent, hostname: string, port: number) {
  return new Promise<number>((resolve, reject) => {
    const request = http.request({ hostname, port, path: '/', method: 'POST', agent }, (reply) => {
      reply.resume()
      resolve(reply.statusCode ?? 0)
    })
    request.on('error', reject)
    request.end('{}')
  })
}

async function listen(server: Server, host = '127.0.0.1') {
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  return (server.address() as AddressInfo).port
}

async function close(server: Server) {
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

/** Whether this machine can listen on a host: some hosts and containers have no IPv6 loopback */
function canListenOn(host: string) {
  return new Promise<boolean>((resolve) => {
    const probe = net.createServer()
    probe.once('error', () => resolve(false))
    probe.listen(0, host, () => probe.close(() => resolve(true)))
  })
}

const ipv6Loopback = canListenOn('::1')
/**
 * Skips only the cases that need a real [::1] listener: the refusal comes
 * before any connection, so the IPv4 cases (including ::ffff:127.0.0.1)
 * still show the internal service is never called.
 */
const withoutIpv6Loopback = async () => !(await ipv6Loopback)
const NO_IPV6_LOOPBACK = 'this machine has no IPv6 loopback (::1) to listen on'

test.group('Egress: connections to internal addresses', (group) => {
  const v4 = new InternalService()
  const v6 = new InternalService()
  const strict = new EgressPolicy([])
  let client: EgressHttp

  group.setup(async () => {
    await v4.start('127.0.0.1')
    if (await ipv6Loopback) await v6.start('::1')
    return async () => {
      await v4.stop()
      await v6.stop()
    }
  })
  group.each.setup(() => {
    v4.requests = 0
    v6.requests = 0
    client = new EgressHttp(strict)
    return () => client.close()
  })

  async function assertPostRefused(assert: Assert, url: string) {
    const error = await client.post(url, {}, '{}', 2_000).catch((caught: unknown) => caught)

    assert.instanceOf(error, EgressRefusedError)
    assert.notInclude((error as Error).message, INTERNAL_SECRET)
    assert.equal(v4.requests + v6.requests, 0)
  }

  async function assertAgentRefuses(assert: Assert, hostname: string, port: number) {
    const agent = strict.agent('http:')

    await assert.rejects(() => rawRequest(agent, hostname, port), EgressRefusedError)
    agent.destroy()
    assert.equal(v4.requests + v6.requests, 0)
  }

  test('a POST to {$self} is refused before connecting')
    .with([
      'http://127.0.0.1:{v4}/',
      'http://localhost:{v4}/',
      'http://0.0.0.0:{v4}/',
      'http://[::ffff:127.0.0.1]:{v4}/',
      'http://2130706433:{v4}/',
      'http://0177.0.0.1:{v4}/',
      'http://0x7f.1:{v4}/',
    ])
    .run(({ assert }, template) =>
      assertPostRefused(assert, template.replace('{v4}', String(v4.port)))
    )

  test('a POST to http://[::1] is refused before connecting')
    .skip(withoutIpv6Loopback, NO_IPV6_LOOPBACK)
    .run(({ assert }) => assertPostRefused(assert, `http://[::1]:${v6.port}/`))

  test('the agent refuses host {$self} given as a raw option, not a URL')
    .with(['127.0.0.1', 'localhost', '::ffff:127.0.0.1', '2130706433', '0177.0.0.1', '0'])
    .run(({ assert }, hostname) => assertAgentRefuses(assert, hostname, v4.port))

  test('the agent refuses IPv6 loopback host {$self} given as a raw option')
    .skip(withoutIpv6Loopback, NO_IPV6_LOOPBACK)
    .with(['::1', '[::1]'])
    .run(({ assert }, hostname) => assertAgentRefuses(assert, hostname, v6.port))

  test('DNS rebinding: vetted as public, connected as loopback, is refused', async ({ assert }) => {
    const { resolver, asked } = resolverAnswering(PUBLIC, LOOPBACK)
    const rebinding = new EgressPolicy([], resolver)
    const url = `http://rebind.example.com:${v4.port}/hook`
    const rebindingClient = new EgressHttp(rebinding)

    await assert.doesNotReject(() => rebinding.vetUrl(url))
    const error = await rebindingClient
      .post(url, {}, '{}', 2_000)
      .catch((caught: unknown) => caught)
    rebindingClient.close()

    assert.instanceOf(error, EgressRefusedError)
    assert.match((error as Error).message, /rebind\.example\.com resolves to 127\.0\.0\.1/)
    assert.deepEqual(asked, ['rebind.example.com', 'rebind.example.com'])
    assert.equal(v4.requests, 0)
  })

  test('every new connection is vetted again: a name that moves is refused on reconnect', async ({
    assert,
  }) => {
    const allowed = new InternalService(undefined, true)
    await allowed.start('127.0.0.1')
    const { resolver } = resolverAnswering(LOOPBACK, { address: '127.0.0.2', family: 4 })
    const moving = new EgressHttp(new EgressPolicy(['127.0.0.1/32'], resolver))
    const url = `http://moving.example.com:${allowed.port}/`

    const first = await moving.post(url, {}, '{}', 2_000)
    // The server closed that connection: the next request needs a new one, and a new lookup
    const second = await moving.post(url, {}, '{}', 2_000).catch((caught: unknown) => caught)
    moving.close()
    await allowed.stop()

    assert.equal(first.status, 502)
    assert.instanceOf(second, EgressRefusedError)
    assert.match((second as Error).message, /127\.0\.0\.2, a loopback address/)
    assert.equal(allowed.requests, 1)
  })

  test('a redirect to an internal address is not followed', async ({ assert }) => {
    const redirector = createServer((request, response) => {
      request.resume()
      response.writeHead(307, { location: `http://127.0.0.1:${v4.port}/admin` }).end()
    })
    const port = await listen(redirector, '127.0.0.2')
    // The redirecting receiver itself is allowed (it stands in for a public host), its target is not
    const redirected = new EgressHttp(new EgressPolicy(['127.0.0.2/32']))

    const reply = await redirected.post(`http://127.0.0.2:${port}/hook`, {}, '{}', 2_000)
    redirected.close()
    await close(redirector)

    assert.equal(reply.status, 307)
    assert.equal(v4.requests, 0)
  })
})

test.group('Egress: reading replies', (group) => {
  let server: Server
  let port: number
  const allowLoopback = new EgressPolicy(['127.0.0.0/8'])

  group.setup(async () => {
    server = createServer((request, response) => {
      request.resume()
      if (request.url === '/silent') return
      // 8 MiB in 64 KiB writes: far more than any reply we read
      response.writeHead(200, { 'content-type': 'text/plain' })
      const chunk = Buffer.alloc(64 * 1024, 'x')
      let left = 128
      const write = () => {
        while (left > 0) {
          left--
          if (!response.write(chunk)) return response.once('drain', write)
        }
        response.end()
      }
      write()
    })
    port = await listen(server)
    return () => close(server)
  })

  test('a huge reply is cut at maxResponseBytes', async ({ assert }) => {
    const client = new EgressHttp(allowLoopback, { maxResponseBytes: 1024 })

    const reply = await client.post(`http://127.0.0.1:${port}/huge`, {}, '{}', 5_000)
    client.close()

    assert.equal(reply.status, 200)
    assert.equal(reply.body.length, 1024)
    assert.isTrue(reply.truncated)
  })

  test('the keep-alive client caps its reads (64 KiB)', async ({ assert }) => {
    const client = new KeepAliveHttpClient(`http://127.0.0.1:${port}`, 5_000, allowLoopback)

    const reply = await client.post('/huge', {}, '{}')
    client.close()

    assert.equal(reply.body.length, 64 * 1024)
    assert.isTrue(reply.truncated)
  })

  test('no answer within the deadline rejects with a TimeoutError', async ({ assert }) => {
    const client = new EgressHttp(allowLoopback)

    const error = await client
      .post(`http://127.0.0.1:${port}/silent`, {}, '{}', 200)
      .catch((caught: unknown) => caught)
    client.close()

    assert.equal((error as Error).name, 'TimeoutError')
  })
})

test.group('Keep-alive client: a request is never sent twice', () => {
  test('a reused connection reset after the server read the request is not re-posted', async ({
    assert,
  }) => {
    const bodies: string[] = []
    const server = createServer((request, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        bodies.push(Buffer.concat(chunks).toString('utf8'))
        // The second request arrives on the kept-alive connection: read, then the connection drops
        if (bodies.length === 2) return request.socket.resetAndDestroy()
        response.end('{"ok":true}')
      })
    })
    const port = await listen(server)
    const client = new KeepAliveHttpClient(
      `http://127.0.0.1:${port}`,
      5_000,
      new EgressPolicy(['127.0.0.0/8'])
    )

    await client.post('/send', {}, '{"n":1}')
    // Let the first connection go back to the pool, so the second request reuses it
    await new Promise((resolve) => setImmediate(resolve))
    const error = await client.post('/send', {}, '{"n":2}').catch((caught: unknown) => caught)
    await new Promise((resolve) => setTimeout(resolve, 200))
    client.close()
    await close(server)

    assert.equal((error as NodeJS.ErrnoException).code, 'ECONNRESET')
    assert.deepEqual(bodies, ['{"n":1}', '{"n":2}'])
  })
})
