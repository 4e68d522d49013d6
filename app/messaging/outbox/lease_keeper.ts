import type { Logger } from '@adonisjs/core/logger'
import type { LeaseHolder, MessageStore } from '#messaging/outbox/message_store'

/** Stops an attempt whose lease is no longer its own before it sends anything. */
export class LeaseLostError extends Error {
  constructor(readonly messageId: string) {
    super(`the lease on message ${messageId} was lost`)
  }
}

/**
 * One attempt's hold on its claimed message. It is held while nobody took
 * the message over and, as far as this process can tell, the lease has not
 * run out: counted from when the last claim or extension was asked for, which
 * is no later than when the database set it.
 */
export class Lease {
  #confirmedAt: number
  #lost = false

  constructor(
    readonly holder: LeaseHolder,
    claimedAt: number,
    private durationMs: number
  ) {
    this.#confirmedAt = claimedAt
  }

  get confirmedAt() {
    return this.#confirmedAt
  }

  /** Someone else holds the message now, or nobody may send it any more */
  get lost() {
    return this.#lost
  }

  get held() {
    return !this.#lost && Date.now() < this.#confirmedAt + this.durationMs
  }

  /** Before anything that would send the message (again) */
  assertHeld() {
    if (!this.held) throw new LeaseLostError(this.holder.id)
  }

  confirm(askedAt: number) {
    this.#confirmedAt = Math.max(this.#confirmedAt, askedAt)
  }

  lose() {
    this.#lost = true
  }
}

/**
 * Keeps the leases of a worker's running sends alive, so a slow gateway (or
 * a failover through several) never lets the lease run out and the sweeper
 * or another worker take the message while it is being sent. One timer per
 * process ticks every third of the lease; each tick extends every lease
 * confirmed at least half a tick ago, in one statement (the store batches the
 * extensions of a turn), so a lease is renewed within half of its length and
 * the sends that end quickly are never touched.
 */
export class LeaseKeeper {
  #leases = new Set<Lease>()
  #extending = new Set<Lease>()
  #timer: NodeJS.Timeout | null = null
  #tickMs: number

  constructor(
    private store: MessageStore,
    private logger: Logger,
    private leaseSeconds: number
  ) {
    this.#tickMs = (leaseSeconds * 1000) / 3
  }

  /** Keeps the lease of a claim asked for at `claimedAt`, until released. */
  keep(holder: LeaseHolder, claimedAt: number) {
    const lease = new Lease(holder, claimedAt, this.leaseSeconds * 1000)
    this.#leases.add(lease)
    this.#timer ??= setInterval(() => this.#extendDue(), this.#tickMs).unref()
    return lease
  }

  /** The attempt ended: its lease is no longer extended. */
  release(lease: Lease) {
    this.#leases.delete(lease)
    if (this.#leases.size === 0 && this.#timer) {
      clearInterval(this.#timer)
      this.#timer = null
    }
  }

  #extendDue() {
    const now = Date.now()
    for (const lease of this.#leases) {
      // Even one that ran out by this process's clock: while its token matches, nobody took it
      if (this.#extending.has(lease) || lease.lost) continue
      if (now - lease.confirmedAt < this.#tickMs / 2) continue
      void this.#extend(lease, now)
    }
  }

  async #extend(lease: Lease, askedAt: number) {
    this.#extending.add(lease)
    try {
      if (await this.store.extendLease(lease.holder, this.leaseSeconds)) {
        lease.confirm(askedAt)
      } else {
        lease.lose()
      }
    } catch (error) {
      // Unconfirmed, not lost: if this lasts, the lease runs out here as it does in the database
      this.logger.warn({ messageId: lease.holder.id, err: error }, 'could not extend a lease')
    } finally {
      this.#extending.delete(lease)
    }
  }
}
