import { DomainException } from '#exceptions/api_error'

/** GET /metrics without the scrape token (METRICS_TOKEN), or with another one. */
export class MetricsTokenException extends DomainException {
  static status = 401
  static code = 'E_UNAUTHORIZED'
  constructor() {
    super('A valid metrics token is required')
  }
}
