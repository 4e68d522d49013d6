import { DomainException } from '#exceptions/api_error'

/**
 * A wrong password and an unknown email get this same answer, so the sign-in
 * page never tells whether an account exists.
 */
export class InvalidCredentialsException extends DomainException {
  static status = 422
  static code = 'E_INVALID_CREDENTIALS'

  constructor() {
    super('The email or password is incorrect.')
  }
}

/** Too many failures for this email (or from this address): nothing is checked until the lock ends. */
export class SignInLockedException extends DomainException {
  static status = 429
  static code = 'E_TOO_MANY_ATTEMPTS'

  constructor(readonly retryAfterSeconds: number) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60))
    super(`Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`)
  }

  headers() {
    return { 'Retry-After': String(Math.max(1, this.retryAfterSeconds)) }
  }
}

/** Told only to someone who gave the right password */
export class AccountDisabledException extends DomainException {
  static status = 422
  static code = 'E_ACCOUNT_DISABLED'

  constructor() {
    super('This account has been disabled. Ask an admin of your team about it.')
  }
}

export class InvalidTwoFactorCodeException extends DomainException {
  static status = 422
  static code = 'E_INVALID_CODE'

  constructor() {
    super(
      'That code is not valid. Enter the 6-digit code your authenticator app shows now; each code works once.'
    )
  }
}

/** A change the rules of a tenant's people refuse (the last admin, oneself, an operator's role) */
export class PeopleRuleException extends DomainException {
  static status = 422
  static code = 'E_NOT_ALLOWED'
}
