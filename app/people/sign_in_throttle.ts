import limiter from '@adonisjs/limiter/services/main'
import type { Limiter } from '@adonisjs/limiter'
import { SignInLockedException } from '#people/people_exceptions'

export interface FailureLimit {
  /** Failures allowed within `duration`; the last of them starts the lock */
  requests: number
  duration: string
  /** How long a key stays locked once it reached `requests` */
  blockDuration: string
}

export interface SignInLimits {
  perEmail: FailureLimit
  perAddress: FailureLimit
}

export const SIGN_IN_LIMITS: SignInLimits = {
  perEmail: { requests: 5, duration: '15 mins', blockDuration: '15 mins' },
  // Looser: one office behind one proxy shares an address
  perAddress: { requests: 50, duration: '15 mins', blockDuration: '15 mins' },
}

/**
 * Locks sign-in after repeated failures (a wrong password or a wrong TOTP
 * code), counted in Redis so every process shares one count. The lock is
 * keyed by the lower-cased email: the client address is only a second, looser
 * key, since the app trusts proxy headers and an address can be forged. Only
 * a completed sign-in clears the email's count: a right password followed by
 * wrong codes keeps counting.
 */
export class SignInThrottle {
  #byEmail: Limiter
  #byAddress: Limiter

  constructor(limits: SignInLimits = SIGN_IN_LIMITS) {
    this.#byEmail = limiter.use('people', limits.perEmail)
    this.#byAddress = limiter.use('people', limits.perAddress)
  }

  /** Throws SignInLockedException while the email or the address is locked */
  async assertOpen(email: string, address: string) {
    for (const [counter, key] of this.#keys(email, address)) {
      const state = await counter.get(key)
      if (state && state.remaining <= 0) throw new SignInLockedException(state.availableIn)
    }
  }

  /** Counts one failure; the one that reaches the limit locks for the block duration */
  async recordFailure(email: string, address: string) {
    for (const [counter, key] of this.#keys(email, address)) {
      const { consumed, limit } = await counter.increment(key)
      if (consumed >= limit) await counter.block(key, counter.blockDuration)
    }
  }

  async clear(email: string) {
    await this.#byEmail.delete(emailKey(email))
  }

  #keys(email: string, address: string): Array<[Limiter, string]> {
    return [
      [this.#byEmail, emailKey(email)],
      [this.#byAddress, `address:${address}`],
    ]
  }
}

function emailKey(email: string) {
  return `email:${email.trim().toLowerCase()}`
}
