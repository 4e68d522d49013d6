import limiter from '@adonisjs/limiter/services/main'
import { errors as limiterErrors, type Limiter } from '@adonisjs/limiter'
import { SignInLockedException } from '#people/people_exceptions'

/**
 * Fixed rules of the product rather than settings (README: "how sign-in is
 * protected"): 5 tries per email, 50 per address (one office behind one proxy
 * shares an address), each for 15 minutes; past them, locked for 15 minutes.
 */
const PER_EMAIL = { requests: 5, duration: '15 mins', blockDuration: '15 mins' }
const PER_ADDRESS = { requests: 50, duration: '15 mins', blockDuration: '15 mins' }

/**
 * Locks sign-in after repeated failures (a wrong password or a wrong TOTP
 * code), counted in Redis so every process shares one count. Each attempt is
 * counted BEFORE it is checked, in one atomic step that refuses it past the
 * limit: many attempts sent at once cannot all pass a check made while the
 * slow password hashing of the first ones still runs. A right answer then
 * gives its count back. The lock is keyed by the lower-cased email: the
 * client address is only a second, looser key, since the app trusts proxy
 * headers and an address can be forged. Only a completed sign-in clears the
 * email's count: a right password followed by wrong codes keeps counting.
 */
export class SignInThrottle {
  #byEmail: Limiter = limiter.use('people', PER_EMAIL)
  #byAddress: Limiter = limiter.use('people', PER_ADDRESS)

  /** Counts one attempt before it is checked; past either limit, throws SignInLockedException instead */
  async take(email: string, address: string) {
    try {
      await this.#byEmail.consume(emailKey(email))
    } catch (error) {
      throw locked(error)
    }
    try {
      await this.#byAddress.consume(addressKey(address))
    } catch (error) {
      // The email's count was taken for an attempt that is not checked
      await this.#byEmail.decrement(emailKey(email))
      throw locked(error)
    }
  }

  /** The attempt was a right password with a code still to come: it does not count */
  async giveBack(email: string, address: string) {
    await this.#byEmail.decrement(emailKey(email))
    await this.#byAddress.decrement(addressKey(address))
  }

  /** A completed sign-in: the email's count starts again, and the attempt does not count for the address */
  async clear(email: string, address: string) {
    await this.#byEmail.delete(emailKey(email))
    await this.#byAddress.decrement(addressKey(address))
  }
}

/** The limiter's refusal as the console words it; anything else as it is */
function locked(error: unknown) {
  if (!(error instanceof limiterErrors.E_TOO_MANY_REQUESTS)) return error
  return new SignInLockedException(error.response.availableIn)
}

function emailKey(email: string) {
  return `email:${email.trim().toLowerCase()}`
}

function addressKey(address: string) {
  return `address:${address}`
}
