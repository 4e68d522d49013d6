import { DomainException } from '#exceptions/api_error'

/** A signed-in person whose role does not allow the action (a viewer changing anything). */
export class ConsoleForbiddenException extends DomainException {
  static status = 403
  static code = 'E_FORBIDDEN'

  constructor(message = 'Your role does not allow this') {
    super(message)
  }
}

/** Not there, or not the signed-in person's to see (another tenant's): the same answer. */
export class ConsoleNotFoundException extends DomainException {
  static status = 404
  static code = 'E_NOT_FOUND'

  constructor(message = 'Not found') {
    super(message)
  }
}
