export interface CallbackAttempt {
  url: string
  /** The receiver's HTTP status, or null when it could not be reached */
  status: number | null
  error?: string
}

/**
 * Posts a fake provider's delivery callbacks in the background, one after
 * the other in the order they were queued (as a provider's event stream
 * would arrive), and remembers each attempt. A fake does not retry.
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
      this.#queue = this.#queue.then(() => this.#post(url, request.body, request.headers))
    }
  }

  /** Resolves once every queued callback has been attempted. */
  drain() {
    return this.#queue
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
    } catch (error) {
      this.attempts.push({ url, status: null, error: (error as Error).message })
    }
  }
}
