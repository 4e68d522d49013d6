import { DomainException } from '#exceptions/api_error'

/** Unknown, another tenant's, or a system default: all look the same from outside. */
export class ProviderNotFoundException extends DomainException {
  static status = 404
  static code = 'E_NOT_FOUND'
  constructor() {
    super('Provider not found')
  }
}
