// Over 300 lines: one fake speaking SES v2's whole protocol (send, errors, account, SNS events) reads best in one place
/**
 * A fake Amazon SES v2: `POST /v2/email/outbound-emails` answered like SES
 * (`200 {"MessageId"}`; errors with their HTTP status, header
 * `x-amzn-ErrorType: <Name>` and body `{"message"}`), plus SES events
 * delivered as signed SNS notifications.
 *
 * `GET /v2/email/account` (GetAccount) answers a healthy production account,
 * for connection checks.
 *
 * Real check: the SigV4 Authorization header must name the configured access
 * key id (missing → 403 MissingAuthenticationTokenException, another key →
 * 403 UnrecognizedClientException). The signature itself is not verified.
 *
 * Magic recipients: SES_MAGIC_RECIPIENTS (magic_recipients.ts).
 *
 * Events (`callbacks.url`): SNS Notification envelopes (SnsNotificationSigner),
 * `eventType` events when the send names a configuration set (event
 * publishing), `notificationType` ones otherwise (identity notifications).
 */
import { randomUUID } from 'node:crypto'
import { CallbackPoster } from '#messaging/vendors/fakes/callback_poster'
import {
  FakeProviderServer,
  type FakeReply,
  type FakeRequest,
} from '#messaging/vendors/fakes/fake_provider_server'
import { magicErrorName, magicLocalPart } from '#messaging/vendors/fakes/magic_recipient'
import { SnsNotificationSigner } from '#messaging/vendors/ses/fake_sns_signer'

/** SES v2 errors a SendEmail can meet, with the HTTP status of SES's model */
export const SES_ERRORS: Record<string, { status: number; message: string }> = {
  TooManyRequestsException: { status: 429, message: 'Too many requests.' },
  ThrottlingException: { status: 400, message: 'Rate exceeded' },
  InternalServiceErrorException: { status: 500, message: 'Internal service error.' },
  LimitExceededException: { status: 400, message: 'Daily message quota exceeded.' },
  SendingPausedException: { status: 400, message: 'Sending is paused for this account.' },
  AccountSuspendedException: { status: 400, message: 'Your account has been suspended.' },
  MailFromDomainNotVerifiedException: {
    status: 400,
    message: 'The MAIL FROM domain is not verified.',
  },
  NotFoundException: { status: 404, message: 'Configuration set does not exist.' },
  MessageRejected: {
    status: 400,
    message: 'Email address is not verified. The following identities failed the check.',
  },
  BadRequestException: { status: 400, message: 'Invalid request.' },
}

export interface SesFakeOptions {
  /** The account's access key id; requests signed with another are refused */
  accessKeyId: string
  region?: string
  /** Where SNS posts the SES events; none are sent without it */
  callbacks?: { url: string }
  topicArn?: string
  /** How long timeout@ holds its reply */
  hangMs?: number
}

const ACCOUNT_ID = '123456789012'
const SEND_EMAIL = 'POST /v2/email/outbound-emails'
const GET_ACCOUNT = 'GET /v2/email/account'

interface SendEmailParams {
  from: string
  to: string[]
  recipients: string[]
  subject: string
  headers: Array<{ name: string; value: string }>
  tags: Record<string, string[]>
  configurationSet: string | null
}

export class SesFakeServer extends FakeProviderServer {
  readonly callbacks = new CallbackPoster()
  readonly sns: SnsNotificationSigner
  #accessKeyId: string
  #region: string
  #callbackUrl: string | null
  #hangMs: number

  constructor(options: SesFakeOptions) {
    super()
    this.#accessKeyId = options.accessKeyId
    this.#region = options.region ?? 'us-east-1'
    this.#callbackUrl = options.callbacks?.url ?? null
    this.#hangMs = options.hangMs ?? 30_000
    this.sns = new SnsNotificationSigner(
      options.topicArn ?? `arn:aws:sns:${this.#region}:${ACCOUNT_ID}:switchboard-ses-events`,
      this.#region
    )
  }

  async stop() {
    await this.callbacks.drain()
    await super.stop()
  }

  protected handle(request: FakeRequest): FakeReply {
    const operation = `${request.method} ${request.path.split('?')[0]}`
    if (operation !== SEND_EMAIL && operation !== GET_ACCOUNT) {
      return errorReply('UnknownOperationException', 404, 'Unknown operation')
    }
    const keyId = /Credential=([^/,\s]+)\//.exec(request.headers.authorization ?? '')?.[1]
    if (!keyId) {
      return errorReply('MissingAuthenticationTokenException', 403, 'Missing Authentication Token')
    }
    if (keyId !== this.#accessKeyId) {
      return errorReply(
        'UnrecognizedClientException',
        403,
        'The security token included in the request is invalid.'
      )
    }
    return operation === GET_ACCOUNT ? this.#account() : this.#sendEmail(request)
  }

  /** GetAccount: a production account with sending enabled */
  #account(): FakeReply {
    let sentLast24Hours = 0
    for (const sends of this.sendsByMessageId.values()) sentLast24Hours += sends
    return {
      status: 200,
      headers: { 'x-amzn-RequestId': randomUUID() },
      body: {
        DedicatedIpAutoWarmupEnabled: false,
        EnforcementStatus: 'HEALTHY',
        ProductionAccessEnabled: true,
        SendQuota: { Max24HourSend: 50_000, MaxSendRate: 14, SentLast24Hours: sentLast24Hours },
        SendingEnabled: true,
        SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
      },
    }
  }

  #sendEmail(request: FakeRequest): FakeReply {
    const params = parseSendEmail(request.rawBody)
    if (!params) {
      return errorReply('SerializationException', 400, 'Could not parse the request body')
    }

    const magic = new Set(params.recipients.map(magicLocalPart))
    if (magic.has('throttle')) return sesError('TooManyRequestsException')
    if (magic.has('rejected')) return sesError('MessageRejected')
    if (magic.has('fail503')) {
      return {
        status: 503,
        headers: { 'content-type': 'text/html' },
        body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>',
      }
    }
    const errorName = params.recipients.map(magicErrorName).find((name) => name !== null)
    if (errorName) return sesError(errorName)

    this.countSend(params.tags.switchboard_message_id?.[0])
    const messageId = sesMessageId()
    this.#publishEvents(messageId, params)
    return {
      status: 200,
      headers: { 'x-amzn-RequestId': randomUUID() },
      body: { MessageId: messageId },
      delayMs: magic.has('timeout') ? this.#hangMs : undefined,
    }
  }

  #publishEvents(messageId: string, params: SendEmailParams) {
    if (!this.#callbackUrl) return
    const mail = this.#mail(messageId, params)
    const requests = params.recipients.flatMap((recipient) =>
      eventsFor(recipient).map(([type, detail]) => {
        const event = params.configurationSet
          ? { eventType: type, mail, [detailKey(type)]: detail }
          : { notificationType: type, mail, [detailKey(type)]: detail }
        const subject = params.configurationSet ? 'Amazon SES Email Event Notification' : undefined
        return this.sns.notification(JSON.stringify(event), subject)
      })
    )
    const url = this.#callbackUrl
    // After this request's reply is written: SES publishes events asynchronously.
    setImmediate(() => this.callbacks.enqueue(url, requests))
  }

  /** The `mail` object every SES event carries; tags come with event publishing only */
  #mail(messageId: string, params: SendEmailParams) {
    const fromDomain = params.from.slice(params.from.lastIndexOf('@') + 1)
    const tags = params.configurationSet && {
      'ses:configuration-set': [params.configurationSet],
      'ses:from-domain': [fromDomain],
      'ses:caller-identity': ['switchboard'],
      ...params.tags,
    }
    return {
      timestamp: new Date().toISOString(),
      source: params.from,
      sourceArn: `arn:aws:ses:${this.#region}:${ACCOUNT_ID}:identity/${fromDomain}`,
      sendingAccountId: ACCOUNT_ID,
      messageId,
      destination: params.recipients,
      headersTruncated: false,
      headers: [
        { name: 'From', value: params.from },
        { name: 'To', value: params.to.join(', ') },
        { name: 'Subject', value: params.subject },
        ...params.headers,
      ],
      commonHeaders: { from: [params.from], to: params.to, messageId, subject: params.subject },
      ...(tags ? { tags } : {}),
    }
  }
}

type SesEventType = 'Delivery' | 'Bounce' | 'Complaint'

/** The events SES's mailbox simulator produces for one recipient, in order */
function eventsFor(recipient: string): Array<[SesEventType, Record<string, unknown>]> {
  const now = new Date().toISOString()
  const delivery: Record<string, unknown> = {
    timestamp: now,
    processingTimeMillis: 546,
    recipients: [recipient],
    smtpResponse: '250 2.6.0 Message received',
    reportingMTA: 'a8-70.smtp-out.amazonses.com',
  }
  const bounce = (bounceSubType: string, diagnosticCode: string) => ({
    bounceType: 'Permanent',
    bounceSubType,
    bouncedRecipients: [
      { emailAddress: recipient, action: 'failed', status: '5.1.1', diagnosticCode },
    ],
    timestamp: now,
    feedbackId: sesMessageId(),
    reportingMTA: 'dns; amazonses.com',
  })
  switch (magicLocalPart(recipient)) {
    case 'bounce':
      return [['Bounce', bounce('General', 'smtp; 550 5.1.1 user unknown')]]
    case 'suppressionlist':
      return [
        [
          'Bounce',
          bounce(
            'OnAccountSuppressionList',
            'Amazon SES did not send the message to this address because it is on the suppression list for your account.'
          ),
        ],
      ]
    case 'complaint':
      return [
        ['Delivery', delivery],
        [
          'Complaint',
          {
            complainedRecipients: [{ emailAddress: recipient }],
            timestamp: now,
            feedbackId: sesMessageId(),
            userAgent: 'Amazon SES Mailbox Simulator',
            complaintFeedbackType: 'abuse',
            arrivalDate: now,
          },
        ],
      ]
    default:
      return [['Delivery', delivery]]
  }
}

function detailKey(type: SesEventType) {
  return type.toLowerCase()
}

/** SES message ids look like 0100018f2c3a4b5c-<uuid>-000000 */
function sesMessageId() {
  return `0100${Date.now().toString(16).padStart(12, '0')}-${randomUUID()}-000000`
}

function parseSendEmail(rawBody: string): SendEmailParams | null {
  let input: unknown
  try {
    input = JSON.parse(rawBody)
  } catch {
    return null
  }
  if (!isRecord(input)) return null
  const destination = isRecord(input.Destination) ? input.Destination : {}
  const to = strings(destination.ToAddresses)
  const simple =
    isRecord(input.Content) && isRecord(input.Content.Simple) ? input.Content.Simple : {}
  const subject = isRecord(simple.Subject) ? String(simple.Subject.Data ?? '') : ''
  const headers = (Array.isArray(simple.Headers) ? simple.Headers : [])
    .filter(isRecord)
    .map((header) => ({ name: String(header.Name), value: String(header.Value) }))
  const tags: Record<string, string[]> = {}
  for (const tag of Array.isArray(input.EmailTags) ? input.EmailTags.filter(isRecord) : []) {
    tags[String(tag.Name)] = [String(tag.Value)]
  }
  return {
    from: typeof input.FromEmailAddress === 'string' ? input.FromEmailAddress : '',
    to,
    recipients: [...to, ...strings(destination.CcAddresses), ...strings(destination.BccAddresses)],
    subject,
    headers,
    tags,
    configurationSet:
      typeof input.ConfigurationSetName === 'string' ? input.ConfigurationSetName : null,
  }
}

function sesError(name: string): FakeReply {
  const known = SES_ERRORS[name]
  return errorReply(name, known?.status ?? 400, known?.message ?? name)
}

function errorReply(name: string, status: number, message: string): FakeReply {
  return {
    status,
    headers: { 'x-amzn-ErrorType': name, 'x-amzn-RequestId': randomUUID() },
    body: { message },
  }
}

function strings(value: unknown) {
  return Array.isArray(value) ? value.map(String) : []
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
