import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Headers a provider's callback keeps when relayed (its signature among them). */
const KEPT_HEADER = /^(content-type|user-agent|x-)/i

/**
 * Where a fake provider posts its callbacks when the webhook URL is not known
 * yet (it holds the id of a provider config a person has still to create in
 * the console): each POST is passed on byte for byte, signature headers and
 * all, to `target` once a test sets it, and answered with the app's status.
 * Before that it answers 503, which the fakes' callback posters retry.
 */
export class CallbackRelay {
  target: string | null = null
  #server: Server | null = null
  #url = ''

  get url() {
    return this.#url
  }

  async start() {
    this.#server = createServer(async (req, res) => {
      const chunks: Buffer[] = []
      for await (const chunk of req) chunks.push(chunk as Buffer)
      if (!this.target) return res.writeHead(503).end()
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(req.headers)) {
        if (KEPT_HEADER.test(name) && typeof value === 'string') headers[name] = value
      }
      try {
        const answer = await fetch(this.target, {
          method: 'POST',
          headers,
          body: Buffer.concat(chunks),
        })
        await answer.arrayBuffer()
        res.writeHead(answer.status).end()
      } catch {
        res.writeHead(502).end()
      }
    })
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve))
    this.#url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/callbacks`
    return this
  }

  async stop() {
    if (!this.#server) return
    this.#server.closeAllConnections()
    await new Promise<void>((resolve) => this.#server!.close(() => resolve()))
    this.#server = null
  }
}
