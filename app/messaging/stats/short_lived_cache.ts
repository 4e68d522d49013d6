/**
 * Values computed at most once per `ttlMs` per key, in this process: callers
 * within the window share the value, and callers that arrive while it is
 * being computed share that computation. A failed computation is not kept.
 */
export class ShortLivedCache<Value> {
  #entries = new Map<string, { expiresAt: number; value: Promise<Value> }>()

  constructor(private ttlMs: number) {}

  get(key: string, compute: () => Promise<Value>): Promise<Value> {
    const now = Date.now()
    const cached = this.#entries.get(key)
    if (cached && cached.expiresAt > now) return cached.value
    this.#forgetExpired(now)
    const value = compute()
    this.#entries.set(key, { expiresAt: now + this.ttlMs, value })
    value.catch(() => {
      if (this.#entries.get(key)?.value === value) this.#entries.delete(key)
    })
    return value
  }

  /** Keys nobody asks for any more (a tenant no longer watched) do not pile up */
  #forgetExpired(now: number) {
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt <= now) this.#entries.delete(key)
    }
  }
}
