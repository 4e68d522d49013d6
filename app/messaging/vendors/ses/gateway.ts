import {
  GetAccountCommand,
  SendEmailCommand,
  SESv2Client,
  SESv2ServiceException,
  type MessageTag,
  type SendEmailCommandInput,
} from '@aws-sdk/client-sesv2'
import { GatewayType } from '#enums/gateway_type'
import { keepAliveAgents } from '#messaging/egress/egress_http'
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
  egressRefusalIn,
  egressRefused,
  gatewayFailure,
  socketErrorText,
  unexpectedReply,
  vendorText,
} from '#messaging/channels/gateway_failures'

export interface SesGatewayConfig {
  region: string
  accessKeyId: string
  secretAccessKey: string
  /** Another SES endpoint, e.g. a local fake server */
  endpoint?: string
  /** A verified identity */
  from: string
  /** Needed for event publishing (bounces, complaints, deliveries) to SNS */
  configurationSet?: string
  /** The topic SES events arrive on: read by the webhook verifier, not here */
  snsTopicArn?: string
  /** Per HTTP attempt */
  timeoutMs?: number
}

const CONNECTION_TIMEOUT_MS = 3_000
/** The SDK's own default pool size */
const MAX_SOCKETS = 50

/** SES v2 error names (PROVIDERS.md); AWS authentication errors are ours. */
const ERROR_CLASSES: Record<string, GatewayErrorClass> = {
  TooManyRequestsException: 'retry',
  ThrottlingException: 'retry',
  InternalServiceErrorException: 'retry',
  // A sending quota (daily or per second) was hit: it frees up later.
  LimitExceededException: 'retry',
  SendingPausedException: 'config',
  AccountSuspendedException: 'config',
  MailFromDomainNotVerifiedException: 'config',
  NotFoundException: 'config',
  MessageRejected: 'permanent',
  BadRequestException: 'permanent',
  // Wrong or revoked credentials: no message can go through this account.
  MissingAuthenticationTokenException: 'config',
  UnrecognizedClientException: 'config',
  InvalidClientTokenId: 'config',
  InvalidSignatureException: 'config',
  SignatureDoesNotMatch: 'config',
  IncompleteSignature: 'config',
  AccessDeniedException: 'config',
  ExpiredTokenException: 'config',
}

/** SES tag names and values allow only these characters, up to 256 of them. */
const TAG_FORBIDDEN = /[^A-Za-z0-9_-]/g
const TAG_MAX_LENGTH = 256

/** Email through Amazon SES v2 with the official SDK. */
export class SesGateway extends EmailGateway {
  readonly type = GatewayType.Ses
  #client: SESv2Client

  constructor(private config: SesGatewayConfig & EgressOptions) {
    super()
    const timeoutMs = config.timeoutMs ?? DEFAULT_GATEWAY_TIMEOUT_MS
    this.#client = new SESv2Client({
      region: config.region,
      endpoint: config.endpoint,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      // One HTTP attempt per send: the SDK would repeat a send that may have
      // reached SES (a timeout), and retrying is the dispatcher's decision
      maxAttempts: 1,
      // Options for the SDK's NodeHttpHandler; without throwOnRequestTimeout a
      // request timeout only logs a warning. Every connection, the endpoint
      // being tenant-set, goes through the egress policy.
      requestHandler: {
        requestTimeout: timeoutMs,
        throwOnRequestTimeout: true,
        connectionTimeout: Math.min(timeoutMs, CONNECTION_TIMEOUT_MS),
        ...keepAliveAgents(config.policy, { maxSockets: MAX_SOCKETS }),
      },
    })
  }

  async close() {
    this.#client.destroy()
  }

  async send(message: EmailOutbound): Promise<GatewayResult> {
    try {
      const reply = await this.#client.send(new SendEmailCommand(this.#input(message)))
      if (typeof reply.MessageId !== 'string' || reply.MessageId === '') {
        return gatewayFailure(
          'retry',
          'INVALID_REPLY',
          'SES accepted the message without a MessageId'
        )
      }
      // mail.messageId in every SES event is this id.
      return { ok: true, providerMessageId: reply.MessageId }
    } catch (error) {
      return failure(error)
    }
  }

  /** GetAccount: proves the credentials and region, and tells whether sending is enabled. */
  async check(): Promise<GatewayCheck> {
    try {
      const account = await this.#client.send(new GetAccountCommand({}))
      if (!account.SendingEnabled) {
        return {
          ok: false,
          detail: 'credentials accepted, but sending is disabled for this account',
        }
      }
      const quota = account.SendQuota
      const sandbox = account.ProductionAccessEnabled ? '' : ', sandbox (verified recipients only)'
      return {
        ok: true,
        detail:
          `sending enabled${sandbox}; ${count(quota?.SentLast24Hours) ?? 0} of ` +
          `${count(quota?.Max24HourSend) ?? '?'} sent in the last 24 h, ` +
          `at most ${count(quota?.MaxSendRate) ?? '?'}/s`,
      }
    } catch (error) {
      return failedCheck(failure(error))
    }
  }

  #input(message: EmailOutbound): SendEmailCommandInput {
    const headers = { ...message.headers, 'X-Switchboard-Message-Id': message.messageId }
    const tags = { ...message.tags, switchboard_message_id: message.messageId }
    return {
      FromEmailAddress: this.config.from,
      Destination: { ToAddresses: [message.to] },
      ReplyToAddresses: message.replyTo ? [message.replyTo] : undefined,
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: {
            Text: message.text === null ? undefined : { Data: message.text, Charset: 'UTF-8' },
            Html: message.html === null ? undefined : { Data: message.html, Charset: 'UTF-8' },
          },
          Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })),
        },
      },
      EmailTags: Object.entries(tags).map(([name, value]) => emailTag(name, value)),
      ConfigurationSetName: this.config.configurationSet,
    }
  }
}

/** A tag SES would refuse fails the whole send, so its characters are replaced instead. */
function emailTag(name: string, value: string): MessageTag {
  return {
    Name: name.replace(TAG_FORBIDDEN, '_').slice(0, TAG_MAX_LENGTH),
    Value: value.replace(TAG_FORBIDDEN, '_').slice(0, TAG_MAX_LENGTH),
  }
}

/** The HTTP status the SDK attaches to an error that came with a reply */
function replyStatus(error: unknown) {
  if (!(error instanceof Error) || !('$metadata' in error)) return undefined
  return (error.$metadata as { httpStatusCode?: number } | undefined)?.httpStatusCode
}

/** A number SES reported, or undefined: nothing else of the reply is shown. */
function count(value: unknown) {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined
}

/**
 * The SDK names an error by the reply's error type (header, __type or code):
 * only the SES errors listed above are shown with their message. Any other
 * reply (an unknown name, a body the SDK could not parse: its SyntaxError
 * quotes the body) is shown by its HTTP status alone.
 */
function failure(error: unknown): GatewayFailure {
  const refusal = egressRefusalIn(error)
  if (refusal) return egressRefused(refusal)
  const status = replyStatus(error)
  if (error instanceof SESv2ServiceException && Object.hasOwn(ERROR_CLASSES, error.name)) {
    const errorClass = ERROR_CLASSES[error.name]
    return gatewayFailure(errorClass, error.name, vendorText(error.message))
  }
  // An error SES names but we do not know is not proof the message is bad; retries are bounded.
  if (status) return unexpectedReply('retry', status)
  const { name, message } = error instanceof Error ? error : new Error(String(error))
  if (name === 'TimeoutError') return gatewayFailure('retry', 'TIMEOUT', message)
  if (name === 'CredentialsProviderError') return gatewayFailure('config', name, message)
  const detail = socketErrorText(error)
  if (detail === null) return unexpectedReply('retry')
  return gatewayFailure('retry', 'NETWORK_ERROR', `could not reach SES: ${detail}`)
}
