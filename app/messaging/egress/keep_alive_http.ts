import type { EgressPolicy } from '#messaging/egress/egress_policy'
import { EgressHttp, type EgressReply } from '#messaging/egress/egress_http'

export type HttpReply = EgressReply

/**
 * POSTs to paths under one base URL over a pool of keep-alive connections
 * that the egress policy vets, with a deadline for the whole exchange and a
 * capped read. Node's global fetch (undici's WHATWG streams, an AbortSignal
 * and a DOMException per call) took a third of a busy worker's CPU per send;
 * node:http does the same request for a fraction of it.
 *
 * A request is never sent twice, not even when a reused connection is reset:
 * the server may have read it, and a send must not be repeated below the
 * dispatcher (the 4 s idle timeout keeps that race rare).
 */
export class KeepAliveHttpClient {
  #base: string
  #http: EgressHttp

  constructor(
    baseUrl: string,
    private timeoutMs: number,
    policy: EgressPolicy
  ) {
    this.#base = baseUrl.replace(/\/+$/, '')
    this.#http = new EgressHttp(policy, { agent: { maxSockets: 256 } })
  }

  post(path: string, headers: Record<string, string>, body: string): Promise<HttpReply> {
    return this.#http.post(`${this.#base}${path}`, headers, body, this.timeoutMs)
  }

  close() {
    this.#http.close()
  }
}
