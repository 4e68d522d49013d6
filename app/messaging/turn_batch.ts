export interface TurnBatchOptions {
  /**
   * Batches running at once. While that many are in flight, new calls wait
   * and join the next batch: the busier the caller, the bigger the batches
   * (group commit). Unlimited by default.
   */
  maxInFlight?: number
  /** The most items one batch takes; the rest go in the next. Unlimited by default. */
  maxItems?: number
}

/**
 * Gathers the calls made during one turn of the event loop and runs them as
 * one batch on the next tick: a worker's concurrent jobs that reach the same
 * step together share one statement instead of a round trip each. An idle
 * worker's single call waits one tick, so latency stays put.
 *
 * `run` gets the items in call order and answers one result per item, in
 * the same order; if it throws, every call of the batch rejects with it.
 */
export class TurnBatch<Item, Result> {
  #pending: Array<{
    item: Item
    resolve: (result: Result) => void
    reject: (error: unknown) => void
  }> = []
  #scheduled = false
  #inFlight = 0
  #maxInFlight: number
  #maxItems: number

  constructor(
    private run: (items: Item[]) => Promise<Result[]>,
    options: TurnBatchOptions = {}
  ) {
    this.#maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY
    this.#maxItems = options.maxItems ?? Number.POSITIVE_INFINITY
  }

  add(item: Item) {
    return new Promise<Result>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject })
      this.#schedule()
    })
  }

  /** Run what is pending now rather than on the next tick, and wait for it. */
  async flushNow() {
    await this.#flush()
  }

  #schedule() {
    if (this.#scheduled || this.#pending.length === 0 || this.#inFlight >= this.#maxInFlight) {
      return
    }
    this.#scheduled = true
    setImmediate(() => this.#flush())
  }

  async #flush() {
    this.#scheduled = false
    const batch = this.#pending.splice(0, this.#maxItems)
    if (batch.length === 0) return
    this.#inFlight++
    this.#schedule()
    try {
      const results = await this.run(batch.map((pending) => pending.item))
      batch.forEach((pending, index) => pending.resolve(results[index]))
    } catch (error) {
      for (const pending of batch) pending.reject(error)
    } finally {
      this.#inFlight--
      this.#schedule()
    }
  }
}
