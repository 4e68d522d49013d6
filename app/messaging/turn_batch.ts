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

  constructor(private run: (items: Item[]) => Promise<Result[]>) {}

  add(item: Item) {
    return new Promise<Result>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject })
      if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => this.#flush())
      }
    })
  }

  /** Run what is pending now rather than on the next tick, and wait for it. */
  async flushNow() {
    await this.#flush()
  }

  async #flush() {
    const batch = this.#pending
    this.#pending = []
    this.#scheduled = false
    if (batch.length === 0) return
    try {
      const results = await this.run(batch.map((pending) => pending.item))
      batch.forEach((pending, index) => pending.resolve(results[index]))
    } catch (error) {
      for (const pending of batch) pending.reject(error)
    }
  }
}
