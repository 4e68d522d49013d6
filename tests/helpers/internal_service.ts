import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Group } from '@japa/runner/core'

/** What the stand-in answers: anything a tenant must never get to read */
export const INTERNAL_SECRET = 'INTERNAL-SECRET-7f3a'

export interface InternalReply {
  status: number
  contentType: string
  body: string
}

/** Replies no vendor gives, each carrying the secret */
export const INTERNAL_REPLIES = {
  html502: {
    status: 502,
    contentType: 'text/html',
    body: `<html><body>${INTERNAL_SECRET}</body></html>`,
  },
  text200: { status: 200, contentType: 'text/plain', body: INTERNAL_SECRET },
  json400: {
    status: 400,
    contentType: 'application/json',
    body: JSON.stringify({ message: INTERNAL_SECRET, detail: INTERNAL_SECRET }),
  },
} satisfies Record<string, InternalReply>

/**
 * A stand-in for an internal HTTP service (an admin API, a metadata endpoint)
 * that a tenant points a provider at: it counts the requests that reach it
 * and answers every one with a recognisable secret.
 */
export class InternalService {
  requests = 0
  #server: Server | null = null
  #port = 0

  /** closeConnections: answer with Connection: close, so a client's next request opens a new connection */
  constructor(
    public reply: InternalReply = INTERNAL_REPLIES.html502,
    private closeConnections = false
  ) {}

  get port() {
    return this.#port
  }

  get url() {
    return `http://127.0.0.1:${this.#port}`
  }

  async start(host = '127.0.0.1', port = 0) {
    this.#server = createServer((request, response) => {
      this.requests++
      request.resume()
      response.writeHead(this.reply.status, {
        'content-type': this.reply.contentType,
        ...(this.closeConnections && { connection: 'close' }),
      })
      response.end(this.reply.body)
    })
    await new Promise<void>((resolve) => this.#server!.listen(port, host, resolve))
    this.#port = (this.#server.address() as AddressInfo).port
    return this
  }

  async stop() {
    this.#server?.closeAllConnections()
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve())
  }
}

/**
 * An internal service for a group: started before its first test, stopped
 * after its last, its request count and reply reset before each test.
 */
export function withInternalService(group: Group, reply: InternalReply = INTERNAL_REPLIES.html502) {
  const internal = new InternalService(reply)
  group.setup(async () => {
    await internal.start()
    return () => internal.stop()
  })
  group.each.setup(() => {
    internal.requests = 0
    internal.reply = reply
  })
  return internal
}
