import type { Channel } from '#enums/channel'

/**
 * How a gateway failure is handled:
 * retry     try again (another gateway now, this one later)
 * permanent this message cannot be sent: fail it now
 * suppress  permanent, and the recipient goes on the suppression list
 * config    the gateway itself is misconfigured: fail over and flag it
 */
export type GatewayErrorClass = 'retry' | 'permanent' | 'suppress' | 'config'

/** What a channel hands a gateway: one message in a provider-neutral form. */
export interface OutboundMessage {
  messageId: string
  tenantId: string
  channel: Channel
  recipient: string
  subject: string | null
  text: string | null
  html: string | null
  data: Record<string, unknown>
  metadata: Record<string, unknown>
}

export type GatewayResult =
  | { ok: true; providerMessageId: string }
  | {
      ok: false
      errorClass: GatewayErrorClass
      code: string
      message: string
      retryAfterMs?: number
    }

/**
 * A delivery provider. Implementations never throw for a provider's answer:
 * every outcome is a GatewayResult.
 */
export abstract class Gateway {
  abstract readonly type: string
  abstract send(message: OutboundMessage): Promise<GatewayResult>
}
