import { EgressHttp } from '#messaging/egress/egress_http'
import type { EgressPolicy } from '#messaging/egress/egress_policy'

/** Only the status matters: a receiver's reply is read no further than this */
const MAX_REPLY_BYTES = 1024

/**
 * The keep-alive pool every tenant webhook POST goes through, built once per
 * process (a container singleton, closed when the app terminates) so
 * deliveries to the same receiver share connections.
 */
export class TenantWebhookHttp extends EgressHttp {
  constructor(policy: EgressPolicy) {
    super(policy, { maxResponseBytes: MAX_REPLY_BYTES })
  }
}
