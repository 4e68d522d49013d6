import { GatewayType } from '#enums/gateway_type'
import { EgressRefusedError } from '#messaging/egress/egress_policy'
import {
  DEFAULT_GATEWAY_TIMEOUT_MS,
  type EgressOptions,
  type GatewayCheck,
  type GatewayErrorClass,
  type GatewayFailure,
  type GatewayResult,
  failedCheck,
} from '#messaging/channels/gateway'
import { EmailGateway } from '#messaging/channels/channel_gateways'
import type { EmailOutbound } from '#messaging/channels/outbound'
import {
  egressRefused,
  gatewayFailure,
  unexpectedReply,
  vendorText,
} from '#messaging/channels/gateway_failures'
import {
  PostalApiError,
  PostalClient,
  PostalTransportError,
  type PostalSendMessageBody,
  type PostalTransportFailure,
} from '#messaging/vendors/postal/client'

export interface PostalGatewayConfig {
  baseUrl: string
  apiKey: string
  /** A sender on a domain authenticated in the Postal server */
  from: string
  /** Base64 SPKI DER (the `p=` of postal._domainkey): read by the webhook verifier, not here */
  webhookPublicKey?: string
  timeoutMs?: number
}

/** Postal's error codes (PROVIDERS.md); a code not listed here is retried. */
const ERROR_CLASSES: Record<string, GatewayErrorClass> = {
  'InvalidServerAPIKey': 'config',
  'AccessDenied': 'config',
  'ServerSuspended': 'config',
  'NoRecipients': 'permanent',
  'NoContent': 'permanent',
  'TooManyToAddresses': 'permanent',
  'TooManyCCAddresses': 'permanent',
  'TooManyBCCAddresses': 'permanent',
  'FromAddressMissing': 'permanent',
  'UnauthenticatedFromAddress': 'permanent',
  'AttachmentMissingName': 'permanent',
  'AttachmentMissingData': 'permanent',
  'parameter-error': 'permanent',
}

const TRANSPORT_CODES: Record<Exclude<PostalTransportFailure, 'http-status'>, string> = {
  'network': 'NETWORK_ERROR',
  'timeout': 'TIMEOUT',
  'invalid-reply': 'INVALID_REPLY',
}

/** Email through a Postal server's HTTP API. */
export class PostalGateway extends EmailGateway {
  readonly type = GatewayType.Postal
  #client: PostalClient

  constructor(private config: PostalGatewayConfig & EgressOptions) {
    super()
    this.#client = new PostalClient({
      baseUrl: config.baseUrl,
      apiKey: config.apiKey,
      timeoutMs: config.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS,
      policy: config.policy,
    })
  }

  async close() {
    this.#client.close()
  }

  async send(message: EmailOutbound): Promise<GatewayResult> {
    try {
      const result = await this.#client.sendMessage(this.#body(message))
      // Postal stores one message per recipient ({id, token} in `messages`), but
      // all of them share this Message-ID and every webhook payload carries it
      // as payload.message.message_id: it is the id a webhook is matched on.
      return { ok: true, providerMessageId: result.message_id }
    } catch (error) {
      return failure(error)
    }
  }

  /**
   * Postal's API has no ping or account endpoint. A send with no recipients
   * is the nearest thing: Postal authenticates the key and checks the server
   * is not suspended first, then refuses the message with NoRecipients
   * before storing or sending anything. That refusal proves the key works.
   */
  async check(): Promise<GatewayCheck> {
    try {
      await this.#client.sendMessage({
        to: [],
        from: this.config.from,
        plain_body: 'Switchboard connection check',
      })
      return { ok: false, detail: 'Postal accepted a message with no recipients' }
    } catch (error) {
      if (error instanceof PostalApiError && error.code === 'NoRecipients') {
        return {
          ok: true,
          detail: 'API key accepted (a send with no recipients was refused with NoRecipients)',
        }
      }
      return failedCheck(failure(error))
    }
  }

  #body(message: EmailOutbound): PostalSendMessageBody {
    return {
      to: [message.to],
      from: this.config.from,
      subject: message.subject,
      plain_body: message.text ?? undefined,
      html_body: message.html ?? undefined,
      reply_to: message.replyTo ?? undefined,
      headers: { ...message.headers, 'X-Switchboard-Message-Id': message.messageId },
      // Postal has a single tag per message; ours comes back in every webhook payload.
      tag: message.tags.switchboard_message_id ?? message.messageId,
    }
  }
}

/**
 * Postal's envelope gives a code and message, shown bounded; a reply that is
 * not an envelope is shown by its HTTP status, its body never.
 */
function failure(error: unknown): GatewayFailure {
  if (error instanceof EgressRefusedError) return egressRefused(error)
  if (error instanceof PostalApiError) {
    const errorClass = Object.hasOwn(ERROR_CLASSES, error.code)
      ? ERROR_CLASSES[error.code]
      : 'retry'
    return gatewayFailure(errorClass, vendorText(error.code), vendorText(error.message))
  }
  if (error instanceof PostalTransportError) {
    if (error.failure === 'http-status') return unexpectedReply('retry', error.httpStatus)
    return gatewayFailure('retry', TRANSPORT_CODES[error.failure], error.message)
  }
  // The client only throws the errors above; this keeps the never-throw promise regardless.
  return gatewayFailure('retry', 'UNEXPECTED', 'the Postal client failed')
}
