import http from 'node:http'
import https from 'node:https'
import { EgressRefusedError, type EgressPolicy } from '#messaging/egress/egress_policy'

export interface EgressReply {
  status: number
  headers: http.IncomingHttpHeaders
  /** The body as read: at most maxResponseBytes of it */
  body: string
  /** The body was longer than maxResponseBytes and was cut */
  truncated: boolean
}

/** The request took longer than the client's deadline (named like AbortSignal.timeout's error). */
export class HttpTimeoutError extends Error {
  name = 'TimeoutError'
}

const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024

// An idle connection is closed after 4 s, before a server's usual 5 s keep-alive timeout, so a
// request never goes out on a connection the server is closing
export const IDLE_TIMEOUT_MS = 4_000

export interface KeepAliveAgents {
  httpAgent: http.Agent
  httpsAgent: http.Agent
}

/**
 * The policy's keep-alive agent for each protocol, for a vendor SDK to send through: an idle
 * connection is closed before the server closes it, since a request sent on a connection the
 * server is closing fails and the SDK never repeats it.
 */
export function keepAliveAgents(
  policy: EgressPolicy,
  options: http.AgentOptions = {}
): KeepAliveAgents {
  const agentOptions = { keepAlive: true, timeout: IDLE_TIMEOUT_MS, ...options }
  return {
    httpAgent: policy.agent('http:', agentOptions),
    httpsAgent: policy.agent('https:', agentOptions),
  }
}

interface EgressHttpOptions {
  maxResponseBytes?: number
  /** For the agents (keep-alive is on, idle sockets closed after 4 s unless said otherwise) */
  agent?: http.AgentOptions
}

/**
 * One POST to a full URL through an egress policy. A redirect is not
 * followed (a 3xx is only a status), the reply is read up to a cap (a
 * hostile server cannot fill our memory), and the whole exchange has a
 * deadline. Nothing here repeats a request: a request that may have reached
 * the server is the caller's to retry or fail over.
 */
export class EgressHttp {
  #agents = new Map<'http:' | 'https:', http.Agent>()
  #maxResponseBytes: number
  #agentOptions: http.AgentOptions

  constructor(
    private policy: EgressPolicy,
    options: EgressHttpOptions = {}
  ) {
    this.#maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES
    this.#agentOptions = { keepAlive: true, timeout: IDLE_TIMEOUT_MS, ...options.agent }
  }

  post(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number
  ): Promise<EgressReply> {
    if (!URL.canParse(url)) return Promise.reject(new EgressRefusedError('not a valid URL'))
    const target = new URL(url)
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return Promise.reject(new EgressRefusedError(`${target.protocol} URLs are not allowed`))
    }
    const transport = target.protocol === 'https:' ? https : http
    const agent = this.#agent(target.protocol)
    const maxBytes = this.#maxResponseBytes

    return new Promise((resolve, reject) => {
      const request = transport.request(
        target,
        {
          method: 'POST',
          agent,
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (response) => {
          const chunks: Buffer[] = []
          let size = 0
          const finish = (truncated: boolean) => {
            clearTimeout(deadline)
            resolve({
              status: response.statusCode ?? 0,
              headers: response.headers,
              body: Buffer.concat(chunks).toString('utf8'),
              truncated,
            })
          }
          response.on('data', (chunk: Buffer) => {
            const room = maxBytes - size
            if (chunk.length <= room) {
              chunks.push(chunk)
              size += chunk.length
              return
            }
            // The rest is never read: the connection goes, so it cannot be reused mid-body
            chunks.push(chunk.subarray(0, room))
            size = maxBytes
            finish(true)
            response.destroy()
          })
          response.on('error', fail)
          response.on('end', () => finish(false))
        }
      )
      const deadline = setTimeout(
        () => request.destroy(new HttpTimeoutError(`no answer within ${timeoutMs} ms`)),
        timeoutMs
      )
      const fail = (error: Error) => {
        clearTimeout(deadline)
        reject(error)
      }
      request.on('error', fail)
      request.end(body)
    })
  }

  /** Closes the pooled connections. */
  close() {
    for (const agent of this.#agents.values()) agent.destroy()
    this.#agents.clear()
  }

  #agent(protocol: 'http:' | 'https:') {
    let agent = this.#agents.get(protocol)
    if (!agent) {
      agent = this.policy.agent(protocol, this.#agentOptions)
      this.#agents.set(protocol, agent)
    }
    return agent
  }
}
