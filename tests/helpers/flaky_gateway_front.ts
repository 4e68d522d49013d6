import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo } from 'node:net'

type Fate = 'fail' | 'pass'

/**
 * An HTTP front for a fake provider (a struggling load balancer before it):
 * it answers a share of the requests itself with a 502 and forwards the rest.
 * Which ones fail follows a fixed pattern, so a test knows how many of any
 * run fail: the n-th request fails when floor(n · failureRate) steps up (at
 * 0.6: pass, fail, pass, fail, fail, ...). While held, requests wait with
 * their fate decided, until the test lets the failures or the passes go:
 * that orders the outcomes a circuit breaker sees.
 */
export class FlakyGatewayFront {
  failureRate = 0
  #server: Server | null = null
  #port = 0
  #requests = 0
  #held: Array<{ fate: Fate; go: () => void }> | null = null

  constructor(private target: { baseUrl: string }) {}

  get baseUrl() {
    return `http://127.0.0.1:${this.#port}`
  }

  /** Requests waiting, by fate */
  get held() {
    const held = this.#held ?? []
    return {
      fail: held.filter((entry) => entry.fate === 'fail').length,
      pass: held.filter((entry) => entry.fate === 'pass').length,
    }
  }

  async start() {
    this.#server = createServer((req, res) => this.#serve(req, res))
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve))
    this.#port = (this.#server.address() as AddressInfo).port
    return this
  }

  async stop() {
    this.release('fail')
    this.release('pass')
    this.#held = null
    if (!this.#server) return
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()))
    this.#server = null
  }

  /** From now on, requests wait for release(). */
  hold() {
    this.#held ??= []
  }

  /** Let the waiting requests of one fate go (the others keep waiting). */
  release(fate: Fate) {
    if (!this.#held) return
    for (const entry of this.#held.filter((held) => held.fate === fate)) entry.go()
    this.#held = this.#held.filter((held) => held.fate !== fate)
  }

  /** Requests wait no more. */
  stopHolding() {
    this.release('fail')
    this.release('pass')
    this.#held = null
  }

  async #serve(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const n = ++this.#requests
    const fate: Fate =
      Math.floor(n * this.failureRate) > Math.floor((n - 1) * this.failureRate) ? 'fail' : 'pass'
    if (this.#held) {
      await new Promise<void>((go) => this.#held!.push({ fate, go }))
    }
    if (fate === 'fail') {
      res.writeHead(502, { 'content-type': 'text/html' })
      res.end('<html><body><h1>502 Bad Gateway</h1></body></html>')
      return
    }
    const upstream = httpRequest(
      new URL(req.url ?? '/', this.target.baseUrl),
      { method: req.method, headers: req.headers },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers)
        reply.pipe(res)
      }
    )
    upstream.on('error', () => res.destroy())
    upstream.end(Buffer.concat(chunks))
  }
}
