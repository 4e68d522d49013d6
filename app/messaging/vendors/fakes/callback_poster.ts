import { setTimeout as sleep } from 'node:timers/promises'

export interface CallbackAttempt {
  url: string
  /** The receiver's HTTP status, or null when it could not be reached */
  status: number | null
  error?: string
}

/**
 * A 503 (the receiver cannot take it yet: the send it reports is still being
 * recorded) is delivered again after these pauses, as Postal and SNS retry a
 * server error, only sooner. Nothing else is retried.
 */
const RETRY_DELAYS_MS = [100, 250, 500, 1_000, 2_000]

/**
 * Posts a fake provider's delivery callbacks in the background, one after
 * the other in the order they were queued (as a provider's event stream
 * would arrive), and remembers each attempt.
 */
export class CallbackPoster {
  readonly attempts: CallbackAttempt[] = []
  /** While muted, callbacks are dropped: for runs that measure only the sends */
  muted = false
  #queue: Promise<void> = Promise.resolve()

  /** Queues the POSTs; each body is sent exactly as given so its signature holds. */
  enqueue(url: string, requests: Array<{ body: string; headers: Record<string, string> }>) {
    if (this.muted) return
    for (const request of requests) {
      this.#queue = this.#queue.then(() => this.#deliver(url, request.body, request.headers))
    }
  }

  /** Resolves once every queued callback has been attempted. */
  drain() {
    return this.#queue
  }

  async #deliver(url: string, body: string, headers: Record<string, string>) {
    for (const delayMs of [...RETRY_DELAYS_MS, null]) {
      const status = await this.#post(url, body, headers)
      if (status !== 503 || delayMs === null) return
      await sleep(delayMs)
    }
  }

  async #post(url: string, body: string, headers: Record<string, string>) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.timeout(15_000),
      })
      await response.arrayBuffer()
      this.attempts.push({ url, status: response.status })
      return response.status
    } catch (error) {
      this.attempts.push({ url, status: null, error: (error as Error).message })
      return null
    }
  }
}
