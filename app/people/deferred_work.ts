import type { Logger } from '@adonisjs/core/logger'

/**
 * Work a request starts and does not wait for, so that its answer takes no
 * longer, and says nothing different, whatever the work finds (a reset link
 * for a real account is a token row and an email; for an unknown email,
 * nothing). A task is given plain values, never the request's context, which
 * is done with once answered. A failure is logged, as nobody waits to be
 * told; shutdown waits for the tasks still running (MessagingProvider), so a
 * deploy does not drop them.
 */
export class DeferredWork {
  #running = new Set<Promise<void>>()

  constructor(private logger: Logger) {}

  start(description: string, task: () => Promise<unknown>) {
    const running: Promise<void> = Promise.resolve()
      .then(task)
      .then(
        () => {},
        (error: unknown) => this.logger.error({ err: error }, `${description} failed`)
      )
      .finally(() => this.#running.delete(running))
    this.#running.add(running)
  }

  /** Resolves once every task started so far has ended */
  async drained() {
    await Promise.all(this.#running)
  }
}
