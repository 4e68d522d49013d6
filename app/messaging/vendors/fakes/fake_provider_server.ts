import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface FakeRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  rawBody: string
  /** When it arrived (ms since the epoch) */
  receivedAt: number
}

export interface FakeReply {
  status: number
  headers?: Record<string, string>
  body?: unknown
  /** Hold the reply this long (a slow or hanging provider) */
  delayMs?: number
}

/**
 * The common part of every fake provider: an HTTP server on 127.0.0.1 that
 * reads whole requests, counts what it received per our message id (so tests
 * and the benchmark can count duplicates at the provider), and answers what
 * the provider-specific subclass decides.
 */
export abstract class FakeProviderServer {
  #server: Server | null = null
  #port = 0
  readonly received: FakeRequest[] = []
  /** Sends accepted per message id, to count duplicates */
  readonly sendsByMessageId = new Map<string, number>()
  /** While set, every request gets this reply: the provider is down */
  outage: FakeReply | null = null

  protected abstract handle(request: FakeRequest): Promise<FakeReply> | FakeReply

  get port() {
    return this.#port
  }

  get baseUrl() {
    return `http://127.0.0.1:${this.#port}`
  }

  async start(port = 0) {
    this.#server = createServer((req, res) => this.#serve(req, res))
    await new Promise<void>((resolve) => this.#server!.listen(port, '127.0.0.1', resolve))
    this.#port = (this.#server.address() as AddressInfo).port
    return this
  }

  async stop() {
    if (!this.#server) return
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()))
    this.#server = null
  }

  protected countSend(messageId: string | undefined | null) {
    if (messageId) {
      this.sendsByMessageId.set(messageId, (this.sendsByMessageId.get(messageId) ?? 0) + 1)
    }
  }

  /**
   * Waits before replying, but no longer than the client stays connected: a
   * hang longer than the client's timeout must not keep the process alive
   * after the client (or stop()) has closed the connection.
   */
  #hold(res: ServerResponse, delayMs: number) {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs)
      res.once('close', () => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  async #serve(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      rawBody: Buffer.concat(chunks).toString('utf8'),
      receivedAt: Date.now(),
    }
    this.received.push(request)
    let reply: FakeReply
    try {
      reply = this.outage ?? (await this.handle(request))
    } catch (error) {
      reply = { status: 500, body: { message: (error as Error).message } }
    }
    if (reply.delayMs) {
      await this.#hold(res, reply.delayMs)
    }
    if (res.destroyed) return
    const body =
      reply.body === undefined
        ? ''
        : typeof reply.body === 'string'
          ? reply.body
          : JSON.stringify(reply.body)
    res.writeHead(reply.status, {
      'content-type': 'application/json',
      ...reply.headers,
    })
    res.end(body)
  }
}
