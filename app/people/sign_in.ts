import { inject } from '@adonisjs/core'
import { errors as authErrors } from '@adonisjs/auth'
import { DateTime } from 'luxon'
import User from '#models/user'
import { userActor } from '#messaging/audit/audit_actors'
import { SignInThrottle } from '#people/sign_in_throttle'
import { TwoFactor } from '#people/two_factor'
import {
  AccountDisabledException,
  InvalidCredentialsException,
  InvalidTwoFactorCodeException,
} from '#people/people_exceptions'

/**
 * Signing in to the console, in one or two steps: the password, then (for
 * operators, who must, and anyone who turned it on) a TOTP code. Each step
 * counts as an attempt before it is checked, and is refused unchecked past
 * the lock's limit (SignInThrottle); a right password gives its attempt back;
 * only a completed sign-in clears the count and is recorded. Starting the
 * session is the caller's (the HTTP layer).
 */
@inject()
export class SignIn {
  constructor(
    private throttle: SignInThrottle,
    private twoFactor: TwoFactor
  ) {}

  /** Step one. `secondFactor`: not signed in yet, a code must follow. */
  async withPassword(email: string, password: string, address: string) {
    await this.throttle.take(email, address)
    let user: User
    try {
      user = await User.verifyCredentials(email.trim().toLowerCase(), password)
    } catch (error) {
      if (!(error instanceof authErrors.E_INVALID_CREDENTIALS)) throw error
      throw new InvalidCredentialsException()
    }
    if (user.disabledAt) throw new AccountDisabledException()
    const secondFactor = user.isOperator || user.totpEnabledAt !== null
    if (secondFactor) await this.throttle.giveBack(email, address)
    else await this.#completed(user, address)
    return { user, secondFactor }
  }

  /**
   * Step two, for the user whose password was right. Someone not enrolled yet
   * enrols here: `candidate` is the key their enrolment page showed, stored on
   * the account by a first right code from it.
   */
  async withCode(user: User, code: string, address: string, candidate: string | null) {
    if (user.disabledAt) throw new AccountDisabledException()
    await this.throttle.take(user.email, address)
    const right = user.totpEnabledAt
      ? await this.twoFactor.verify(user, code)
      : candidate !== null && (await this.twoFactor.enrol(user, candidate, code, userActor(user)))
    if (!right) throw new InvalidTwoFactorCodeException()
    await this.#completed(user, address)
  }

  async #completed(user: User, address: string) {
    await this.throttle.clear(user.email, address)
    user.lastSignInAt = DateTime.now()
    await user.save()
  }
}
