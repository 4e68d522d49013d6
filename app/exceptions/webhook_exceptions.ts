import { DomainException } from '#exceptions/api_error'

/** A webhook whose signature is missing, wrong, or cannot be checked: nothing is stored. */
export class WebhookSignatureException extends DomainException {
  static status = 401
  static code = 'E_INVALID_SIGNATURE'
  constructor(reason = 'The webhook signature is missing or invalid') {
    super(reason)
  }
}

/** The provider config named in a webhook path does not exist or is of another type. */
export class WebhookProviderNotFoundException extends DomainException {
  static status = 404
  static code = 'E_NOT_FOUND'
  constructor() {
    super('Provider not found')
  }
}

/** A signed webhook whose body is not what the provider documents. */
export class MalformedWebhookException extends DomainException {
  static status = 400
  static code = 'E_MALFORMED_WEBHOOK'
}

/**
 * What a signature check depends on (the SNS signing certificate) cannot be
 * fetched right now: 503 so the provider retries later instead of dropping it.
 */
export class WebhookVerificationUnavailableException extends DomainException {
  static status = 503
  static code = 'E_SERVICE_UNAVAILABLE'
}

/**
 * A callback about one of our messages whose send is not recorded yet, so it
 * cannot be shown to come from the account that sent it: 503 so the provider
 * delivers it again once the send is recorded (Postal and SNS retry a 5xx).
 */
export class SendNotYetRecordedException extends DomainException {
  static status = 503
  static code = 'E_SEND_NOT_YET_RECORDED'
  constructor() {
    super('The message this callback is about is still being sent: deliver it again later')
  }
}
