import { DomainException } from '#exceptions/api_error'

/** Unknown or another tenant's: both look the same from outside. */
export class WebhookEndpointNotFoundException extends DomainException {
  static status = 404
  static code = 'E_NOT_FOUND'
  constructor() {
    super('Webhook endpoint not found')
  }
}

export class WebhookEndpointDisabledException extends DomainException {
  static status = 409
  static code = 'E_ENDPOINT_DISABLED'
  constructor() {
    super(
      'This webhook endpoint was disabled after failing for too long: enable it again with POST /api/v1/webhooks/:id/enable'
    )
  }
}
