import { Agent, request } from 'node:http'

export interface ApiResponse {
  status: number
  body: string
  /** performance.now() when the whole reply had arrived */
  receivedAt: number
}

/**
 * The bench's HTTP client for the API under test: plain node:http over
 * keep-alive connections, so the load generator costs as little CPU as it can
 * on a machine it shares with the service.
 */
export class ApiClient {
  #agent = new Agent({ keepAlive: true, maxSockets: 64 })
  #url: URL

  constructor(baseUrl: string) {
    this.#url = new URL(baseUrl)
  }

  get(path: string, headers: Record<string, string> = {}) {
    return this.#send('GET', path, null, headers)
  }

  /** POST a body already serialised (a JSON string, or a webhook's exact bytes). */
  post(path: string, body: string, headers: Record<string, string> = {}) {
    return this.#send('POST', path, body, { 'content-type': 'application/json', ...headers })
  }

  /** POST a JSON body and return its parsed reply, failing on any other status than `expected`. */
  async postJson<T>(path: string, body: unknown, headers: Record<string, string>, expected = 201) {
    const response = await this.post(path, JSON.stringify(body), headers)
    return { ...response, json: expectStatus(response, expected, `POST ${path}`) as T }
  }

  close() {
    this.#agent.destroy()
  }

  #send(method: string, path: string, body: string | null, headers: Record<string, string>) {
    return new Promise<ApiResponse>((resolve, reject) => {
      const outgoing = request(
        {
          host: this.#url.hostname,
          port: this.#url.port,
          method,
          path,
          agent: this.#agent,
          headers:
            body === null ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (incoming) => {
          const chunks: Buffer[] = []
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk))
          incoming.on('error', reject)
          incoming.on('end', () =>
            resolve({
              status: incoming.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              receivedAt: performance.now(),
            })
          )
        }
      )
      outgoing.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed while this process was busy: the request never
        // reached the server, so it is sent again on a fresh connection (Node's documented remedy)
        if (outgoing.reusedSocket && error.code === 'ECONNRESET') {
          this.#send(method, path, body, headers).then(resolve, reject)
        } else {
          reject(error)
        }
      })
      outgoing.end(body ?? undefined)
    })
  }
}

/** The parsed reply, or an error naming what failed and what the API said. */
export function expectStatus(response: ApiResponse, expected: number, what: string): unknown {
  if (response.status !== expected) {
    throw new Error(
      `${what} answered ${response.status}, not ${expected}: ${response.body.slice(0, 500)}`
    )
  }
  return response.body ? JSON.parse(response.body) : null
}

/** Runs `task` over `items` with at most `concurrency` in flight; rejects on the first failure. */
export async function inParallel<T>(
  items: T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>
) {
  let next = 0
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      await task(items[index], index)
    }
  })
  await Promise.all(lanes)
}
