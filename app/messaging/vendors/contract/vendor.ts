import type { Logger } from '@adonisjs/core/logger'
import type { VineObject } from '@vinejs/vine'
import type { Channel } from '#enums/channel'
import type { GatewayType } from '#enums/gateway_type'
import type { Gateway } from '#messaging/channels/gateway'
import type { EgressPolicy } from '#messaging/egress/egress_policy'
import type { ProviderAccount } from '#messaging/accounts/provider_accounts'
import type { InboundMessage } from '#messaging/conversations/inbound_message'
import type { ProviderEvent } from '#messaging/tracking/provider_event'
import type { ConfigField } from '#messaging/vendors/contract/config_fields'

/** What a vendor's gateway is built with, besides the account's own config. */
export interface GatewayContext {
  /** The egress policy of this account's addresses: unrestricted for a system provider */
  policy: EgressPolicy
  /** The egress policy of every address a tenant can steer */
  tenantPolicy: EgressPolicy
  logger: Logger
  /** Where the vendor posts this account's status callbacks */
  statusCallbackUrl: string
  logGatewayLatencyMs: number
}

/** A webhook as the vendor sent it, free of any HTTP framework. */
export interface WebhookRequest {
  /** The exact bytes the vendor signed (null when the request had no body) */
  rawBody: string | null
  /** Lower-cased header names */
  headers: Record<string, string | undefined>
  /** The public URL the vendor called: APP_URL + path + query string */
  url: string
  /** The query string's fields and, on an endpoint with parsedBody, the parsed body's */
  fields: Record<string, unknown>
}

/** What the webhook endpoint answers the vendor. */
export interface WebhookReply {
  body: string | Record<string, unknown>
  contentType?: string
}

export const RECEIVED: WebhookReply = { body: { received: true } }

/**
 * A verified status callback: the delivery events for the endpoint to record,
 * or `recorded` when the handler recorded what it was told itself (FCM's push
 * client reports).
 */
export type StatusWebhookResult =
  | { kind: 'events'; events: ProviderEvent[]; reply: WebhookReply }
  | { kind: 'recorded'; reply: WebhookReply }

export interface StatusWebhook<Credentials = Record<string, unknown>> {
  /** Throws WebhookSignatureException (or another webhook exception) when it does not check out. */
  read(
    request: WebhookRequest,
    account: ProviderAccount<Partial<Credentials>>
  ): Promise<StatusWebhookResult>
}

export interface InboundWebhook<Credentials = Record<string, unknown>> {
  read(
    request: WebhookRequest,
    account: ProviderAccount<Partial<Credentials>>
  ): Promise<{ message: InboundMessage; reply: WebhookReply }>
}

/** Builds a vendor's gateway from an account's credentials. */
export type GatewayBuilder<Credentials = any> = (
  credentials: Credentials,
  context: GatewayContext
) => Gateway

/**
 * A webhook endpoint of a vendor. Its handler class is imported when a
 * webhook first comes in (`() => import(...)`, like a lazy controller) and made
 * through the container.
 */
export interface WebhookEndpoint<Handler> {
  handler: () => Promise<new (...args: any[]) => Handler>
  /** The route name under `webhooks.`, when not the path segment (`.inbound` for inbound) */
  name?: string
  /** The server parses the body before the handler runs; otherwise only the raw bytes are read */
  parsedBody?: boolean
}

/**
 * One vendor: everything the rest of Switchboard needs to know about it. The
 * entry itself is light (the secret masking of every log line reads it); its
 * gateway and webhook handlers, which import the vendor's SDK, load on demand.
 */
export interface Vendor<Credentials = any> {
  type: GatewayType
  /** Its name as people know it (Postal, Amazon SES) */
  label: string
  /** One line on what it is, where the console offers the provider types */
  summary: string
  /** The channels a gateway of this type can deliver */
  channels: readonly Channel[]
  /** The provider's `config` as the API takes it */
  configSchema: VineObject<any, any, any, any>
  /** The console's form for `config`: each of configSchema's fields once, in the order asked */
  configFields: readonly ConfigField[]
  /** The config field holding the main secret, shown only as a mask; `value` when it is nested */
  secret?: { field: string; value?: (config: Record<string, unknown>) => unknown }
  /** Further secret config fields, also shown only as masks */
  otherSecrets?: string[]
  /** The config fields naming an address Switchboard calls (checked by the egress policy) */
  urlFields: string[]
  /** Imports the gateway's module and gives its builder: GatewayFactory.load() calls it once */
  loadGateway(): Promise<GatewayBuilder<Credentials>>
  /** The vendor's endpoints under /api/webhooks/communication/<path>/:providerId */
  webhooks?: {
    path: string
    status?: WebhookEndpoint<StatusWebhook<Credentials>>
    inbound?: WebhookEndpoint<InboundWebhook<Credentials>>
  }
}

/** Types a vendor's entry against its own credentials. */
export function defineVendor<Credentials>(vendor: Vendor<Credentials>) {
  return vendor
}
