import { DomainException } from '#exceptions/api_error'

export class ApiKeyNotFoundException extends DomainException {
  static status = 404
  static code = 'E_NOT_FOUND'
  constructor() {
    super('API key not found')
  }
}

/** A key already replaced by a rotation (still working through its grace) is not rotated again. */
export class ApiKeyAlreadyRotatedException extends DomainException {
  static status = 409
  static code = 'E_KEY_ALREADY_ROTATED'
  constructor() {
    super('This key was already rotated: rotate the key that replaced it')
  }
}

/** A key may not make a key that can do more than itself. */
export class ApiKeyEscalationException extends DomainException {
  static status = 403
  static code = 'E_KEY_ESCALATION'
}

/** A test key never holds `manage`: configuration it could change is the live traffic's too. */
export class TestKeyScopeException extends DomainException {
  static status = 422
  static code = 'E_VALIDATION'
  constructor() {
    super('A test key may not hold the manage scope')
  }

  toApiError() {
    return { ...super.toApiError(), field: 'scopes' }
  }
}
