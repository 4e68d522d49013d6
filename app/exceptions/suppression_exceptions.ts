import { DomainException } from '#exceptions/api_error'

/** Unknown, another tenant's, or a global entry: a tenant can only lift its own. */
export class SuppressionNotFoundException extends DomainException {
  static status = 404
  static code = 'E_NOT_FOUND'
  constructor() {
    super('Suppression not found')
  }
}
