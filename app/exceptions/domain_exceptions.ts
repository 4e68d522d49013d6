import { DomainException } from '#exceptions/api_error'

export class MessageNotFoundException extends DomainException {
  static status = 404
  static code = 'E_NOT_FOUND'
  constructor() {
    super('Message not found')
  }
}

export class IdempotencyConflictException extends DomainException {
  static status = 409
  static code = 'E_IDEMPOTENCY_CONFLICT'
  constructor() {
    super('This idempotency key was already used with a different request body')
  }
}

export class MessageNotCancelableException extends DomainException {
  static status = 409
  static code = 'E_NOT_CANCELABLE'
  constructor(status: string) {
    super(`Message is ${status} and can no longer be canceled`)
  }
}

/** Only a failed outbound message is sent again (as a new message), and only once. */
export class MessageNotRetryableException extends DomainException {
  static status = 409
  static code = 'E_NOT_RETRYABLE'
  constructor(status: string) {
    super(`Only a failed message can be retried: this one is ${status}`)
  }
}

export class TenantSuspendedException extends DomainException {
  static status = 403
  static code = 'E_TENANT_SUSPENDED'
  constructor() {
    super('This tenant is suspended')
  }
}

export class MissingScopeException extends DomainException {
  static status = 403
  static code = 'E_MISSING_SCOPE'
  constructor(scope: string) {
    super(`This API key lacks the "${scope}" scope`)
  }
}
