import type { AcceptCharge } from '#messaging/outbox/message_store'
import { TenantUsage } from '#messaging/quotas/tenant_usage'
import type { Sender } from '#messaging/sender'
import type { SendRequest } from '#messaging/actions/message_requests'

/** What a sender's messages on a channel take from its quotas; none without quotas. */
export function quotaCharge(
  usage: TenantUsage,
  sender: Sender,
  channel: SendRequest['channel']
): AcceptCharge | undefined {
  const charge = TenantUsage.chargeFor(sender, channel)
  return charge ? (trx, count) => usage.take(trx, charge, count) : undefined
}
