import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import type { FakeReply, FakeRequest } from '#messaging/vendors/fakes/fake_provider_server'

/**
 * The sandbox's Postal fake as the bench's gateway: it answers exactly as in
 * the sandbox and the tests, and also notes when each of our messages first
 * arrived (the end of the P0 latency) and how many sends it accepted in all
 * (duplicates are sends beyond one per message). Delivery callbacks stay off:
 * they would compete with the dispatch they are not part of.
 */
export class PostalSink extends PostalFakeServer {
  /** performance.now() of each message's first arrival, by our message id */
  readonly arrivals = new Map<string, number>()
  #sends = 0

  /** Sends accepted, duplicates included */
  get sends() {
    return this.#sends
  }

  get duplicates() {
    return this.#sends - this.arrivals.size
  }

  /** Forget every message: a new run starts counting from zero. */
  reset() {
    this.arrivals.clear()
    this.sendsByMessageId.clear()
    this.#sends = 0
  }

  protected handle(request: FakeRequest): FakeReply {
    // The base class keeps every request for the tests' assertions; a run's
    // hundred thousand would cost memory and GC pauses inside the latency measured.
    this.received.length = 0
    return super.handle(request)
  }

  protected countSend(messageId: string | undefined | null) {
    super.countSend(messageId)
    this.#sends++
    if (messageId && !this.arrivals.has(messageId)) {
      this.arrivals.set(messageId, performance.now())
    }
  }
}
