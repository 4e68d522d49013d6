import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface ReceivedCallback {
  headers: IncomingHttpHeaders
  rawBody: string
}

/**
 * A stand-in for our webhook endpoint in gateway tests: records every POST a
 * fake provider sends, raw, so tests can check signatures over exact bytes.
 */
export class CallbackReceiver {
  readonly received: ReceivedCallback[] = []
  #server: Server | null = null
  #url = ''
  #onReceive = new Set<() => void>()

  /** @param answer the status to reply with to the nth callback (0-based) */
  constructor(private answer: (index: number) => number = () => 200) {}

  get url() {
    return this.#url
  }

  async start() {
    this.#server = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      const index = this.received.push({
        headers: req.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      })
      res.writeHead(this.answer(index - 1)).end()
      for (const notify of this.#onReceive) notify()
    })
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve))
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/webhooks`
    return this
  }

  async stop() {
    if (!this.#server) return
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()))
    this.#server = null
  }

  /** Resolves with the callbacks matching `predicate` once there are `count` of them. */
  waitFor(predicate: (callback: ReceivedCallback) => boolean, count: number, timeoutMs = 5000) {
    return new Promise<ReceivedCallback[]>((resolve, reject) => {
      const check = () => {
        const matching = this.received.filter(predicate)
        if (matching.length < count) return
        cleanup()
        resolve(matching)
      }
      const timer = setTimeout(() => {
        cleanup()
        reject(new Error(`expected ${count} callbacks within ${timeoutMs} ms`))
      }, timeoutMs)
      const cleanup = () => {
        clearTimeout(timer)
        this.#onReceive.delete(check)
      }
      this.#onReceive.add(check)
      check()
    })
  }
}
