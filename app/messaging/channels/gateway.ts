import type { Channel } from '#enums/channel'
import type { EgressPolicy } from '#messaging/egress/egress_policy'

/**
 * How a gateway failure is handled:
 * retry     try again (another gateway now, this one later)
 * permanent this message cannot be sent: fail it now
 * suppress  permanent, and the recipient goes on the suppression list
 * config    the gateway itself is misconfigured: fail over and flag it
 */
export type GatewayErrorClass = 'retry' | 'permanent' | 'suppress' | 'config'

export type GatewayResult =
  | { ok: true; providerMessageId: string }
  | {
      ok: false
      errorClass: GatewayErrorClass
      code: string
      message: string
      retryAfterMs?: number
    }

export type GatewayFailure = Extract<GatewayResult, { ok: false }>

/** A gateway's deadline for one call to its vendor or receiver, unless its config sets timeoutMs */
export const DEFAULT_GATEWAY_TIMEOUT_MS = 10_000

/** What a gateway that calls out over the network is built with, besides its config. */
export interface EgressOptions {
  /** Vets every connection the gateway or its SDK opens (its retries and token fetches too) */
  policy: EgressPolicy
}

/** Whether a gateway's account can be reached and accepts its credentials. */
export interface GatewayCheck {
  ok: boolean
  /** What was checked and what came back; never a credential */
  detail: string
}

/** A check that failed the way a send would have: the same code and message. */
export function failedCheck(failure: GatewayFailure): GatewayCheck {
  return { ok: false, detail: `${failure.code}: ${failure.message}` }
}

/**
 * A delivery provider. Implementations never throw for a provider's answer
 * or a network failure: every outcome is a GatewayResult, and check() (a
 * connection test that sends no message) a GatewayCheck.
 *
 * A vendor implements its channel's contract (EmailGateway, SmsGateway, ...
 * in channel_gateways.ts), whose send() takes that channel's message only.
 * Here send() takes nothing a caller could pass: a message reaches a gateway
 * through sendThrough(), which checks the channel once, for every gateway.
 */
export abstract class Gateway {
  abstract readonly type: string
  /** The channels whose messages send() takes */
  abstract readonly channels: readonly Channel[]
  abstract send(message: never): Promise<GatewayResult>
  abstract check(): Promise<GatewayCheck>

  /** Release what the gateway holds (connection pools, SDK apps) once it is replaced or stopped. */
  async close(): Promise<void> {}
}
