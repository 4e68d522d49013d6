import { AsyncLocalStorage } from 'node:async_hooks'
import type http from 'node:http'
import https from 'node:https'
import type { Duplex } from 'node:stream'
import { IDLE_TIMEOUT_MS } from '#messaging/egress/egress_http'
import type { EgressPolicy } from '#messaging/egress/egress_policy'

type ConnectCallback = (error: Error | null, stream: Duplex) => void
type ConnectingAgent = http.Agent & {
  // Public on http.Agent, missing from its type
  createConnection(options: http.ClientRequestArgs, callback?: ConnectCallback): Duplex
}
type AddRequest = (this: http.Agent, request: http.ClientRequest, ...rest: unknown[]) => void

/** How every request made with an agent reaches it: Node's own, missing from its type */
const addRequest = (https.Agent.prototype as unknown as { addRequest: AddRequest }).addRequest

/**
 * The HTTP requests the SDK makes for one send(). The SDK takes no abort
 * signal, and its call goes on after our deadline: ending the call destroys
 * its request, and one it makes later (once its token or connection is
 * ready) is destroyed before it goes out, so nothing reaches FCM after the
 * dispatcher moved on.
 */
export class FcmCall {
  static readonly #current = new AsyncLocalStorage<FcmCall>()

  readonly #requests = new Set<http.ClientRequest>()
  #ended: Error | null = null

  /** The requests the SDK makes within `work` belong to this call */
  run<T>(work: () => Promise<T>): Promise<T> {
    return FcmCall.#current.run(this, work)
  }

  end(reason: Error) {
    this.#ended = reason
    for (const request of this.#requests) request.destroy(reason)
  }

  static adopt(request: http.ClientRequest) {
    const call = FcmCall.#current.getStore()
    if (!call) return
    if (call.#ended) {
      request.destroy(call.#ended)
      return
    }
    call.#requests.add(request)
    request.once('close', () => call.#requests.delete(request))
  }
}

/**
 * The Firebase app's agent: its connections are the egress policy's, an idle
 * one is closed after 4 s (before a server's usual 5 s keep-alive, so a
 * request rarely goes out on a connection the server is closing), and each
 * request is handed to the FcmCall it was made in.
 *
 * With a fake FCM's URL, the SDK's https://fcm.googleapis.com requests go
 * there as plain HTTP/1.1: the SDK has no endpoint setting and no emulator
 * for FCM.
 */
export class FcmAgent extends https.Agent {
  readonly #connector: ConnectingAgent
  readonly #fake: { host: string; port: number } | null

  constructor(policy: EgressPolicy, fakeUrl?: URL) {
    super({ keepAlive: true, timeout: IDLE_TIMEOUT_MS })
    this.#fake = fakeUrl ? { host: fakeUrl.hostname, port: Number(fakeUrl.port || 80) } : null
    this.#connector = policy.agent(fakeUrl ? 'http:' : 'https:') as ConnectingAgent
  }

  createConnection(options: https.RequestOptions, callback?: ConnectCallback) {
    return this.#connector.createConnection(this.#fake ?? options, callback)
  }

  addRequest(request: http.ClientRequest, ...rest: unknown[]) {
    FcmCall.adopt(request)
    addRequest.call(this, request, ...rest)
  }

  destroy() {
    super.destroy()
    this.#connector.destroy()
  }
}
