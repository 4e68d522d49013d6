/**
 * Exponential backoff with "equal jitter": the n-th retry waits between half
 * and all of base * 2^(n-1), capped, so retries of many messages spread out
 * instead of arriving together.
 */
export class RetryPolicy {
  constructor(
    private baseDelayMs: number,
    private maxDelayMs = 3_600_000,
    private random: () => number = Math.random
  ) {}

  delayFor(attempt: number) {
    const ceiling = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** Math.max(0, attempt - 1))
    return Math.round(ceiling / 2 + this.random() * (ceiling / 2))
  }

  nextAttemptAt(attempt: number, now = Date.now()) {
    return new Date(now + this.delayFor(attempt))
  }
}
