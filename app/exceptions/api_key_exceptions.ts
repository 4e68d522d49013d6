import { DomainException } from '#exceptions/api_error'

export class ApiKeyNotFoundException extends DomainException {
  static status = 404
  static code = 'E_NOT_FOUND'
  constructor() {
    super('API key not found')
  }
}

/** A key may not make a key that can do more than itself. */
export class ApiKeyEscalationException extends DomainException {
  static status = 403
  static code = 'E_KEY_ESCALATION'
}
