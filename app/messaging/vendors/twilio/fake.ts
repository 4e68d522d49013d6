/**
 * A fake Twilio Messages API for the sandbox, tests and the benchmark. Point
 * the SDK at it with `client.api.baseUrl` (see PROVIDERS.md).
 *
 * Magic recipients (To): TWILIO_MAGIC_NUMBERS (magic_recipients.ts).
 * Basic credentials other than the configured SID and token → 401, code 20003.
 * `GET /2010-04-01/Accounts/{Sid}.json` answers the (active) account resource,
 * for connection checks.
 *
 * Sends are counted per our message id, read from the `switchboardMessageId`
 * query parameter of the StatusCallback URL (where TwilioGateway puts it, as
 * Twilio has no metadata field); a send without a StatusCallback is not counted.
 * With the `callbacks` option, each accepted send's statuses are posted to its
 * StatusCallback, form-encoded and signed with X-Twilio-Signature like Twilio.
 */
import { createHmac, randomBytes } from 'node:crypto'
import { smsEncoding } from '#messaging/channels/sms_encoding'
import { TWILIO_CALLBACK_MESSAGE_ID_PARAM } from '#messaging/vendors/twilio/gateway'
import { TWILIO_MAGIC_NUMBERS } from '#messaging/vendors/twilio/magic_recipients'
import { CallbackPoster } from '#messaging/vendors/fakes/callback_poster'
import {
  FakeProviderServer,
  type FakeReply,
  type FakeRequest,
} from '#messaging/vendors/fakes/fake_provider_server'

interface TwilioError {
  status: number
  code: number
  message: string
}

interface CallbackStep {
  status: 'sent' | 'delivered' | 'undelivered' | 'failed'
  errorCode?: number
}

const N = TWILIO_MAGIC_NUMBERS

const REJECTIONS: Record<string, TwilioError> = {
  [N.invalidNumber]: {
    status: 400,
    code: 21211,
    message: `The 'To' number ${N.invalidNumber} is not a valid phone number.`,
  },
  [N.notMobile]: { status: 400, code: 21614, message: "'To' number is not a valid mobile number" },
  [N.optedOut]: { status: 400, code: 21610, message: 'Attempt to send to unsubscribed recipient' },
  [N.rateLimited]: { status: 429, code: 20429, message: 'Too Many Requests' },
  [N.serverError]: { status: 500, code: 20500, message: 'Internal Server Error' },
}

const DELIVERED: CallbackStep[] = [{ status: 'sent' }, { status: 'delivered' }]
const CALLBACKS: Record<string, CallbackStep[]> = {
  [N.unreachable]: [{ status: 'sent' }, { status: 'undelivered', errorCode: 30003 }],
  [N.unknownHandset]: [{ status: 'sent' }, { status: 'undelivered', errorCode: 30005 }],
  [N.filtered]: [{ status: 'failed', errorCode: 30007 }],
}

const MESSAGES_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/
const ACCOUNT_PATH = /^\/2010-04-01\/Accounts\/([^/]+)\.json$/

export interface TwilioFakeOptions {
  accountSid: string
  authToken: string
  /** Post status callbacks to each send's StatusCallback URL */
  callbacks?: boolean
  /** How long the hanging number holds its reply */
  hangMs?: number
}

export class TwilioFakeServer extends FakeProviderServer {
  /** Every status callback posted, with the receiver's answer */
  readonly statusCallbacks = new CallbackPoster()
  readonly #options: TwilioFakeOptions
  /** Messages the throttled-once number has already turned away */
  readonly #throttledOnce = new Set<string>()

  constructor(options: TwilioFakeOptions) {
    super()
    this.#options = options
  }

  /** The first try of each message to the throttled-once number gets a 429 */
  #throttleOnce(to: string, messageKey: string): TwilioError | undefined {
    if (to !== N.rateLimitedOnce || this.#throttledOnce.has(messageKey)) return undefined
    this.#throttledOnce.add(messageKey)
    return REJECTIONS[N.rateLimited]
  }

  protected handle(request: FakeRequest): FakeReply {
    const path = new URL(request.path, this.baseUrl).pathname
    const fetchedAccountSid = request.method === 'GET' ? ACCOUNT_PATH.exec(path)?.[1] : undefined
    const accountSid = request.method === 'POST' ? MESSAGES_PATH.exec(path)?.[1] : fetchedAccountSid
    if (!accountSid) {
      return twilioError({ status: 404, code: 20404, message: `${path} was not found` })
    }
    if (accountSid !== this.#options.accountSid || !this.#authenticated(request)) {
      return twilioError({ status: 401, code: 20003, message: 'Authenticate' })
    }
    if (fetchedAccountSid) {
      return { status: 200, body: accountResource(accountSid, this.#options.authToken) }
    }

    const form = new URLSearchParams(request.rawBody)
    const to = form.get('To')
    const body = form.get('Body')
    const statusCallback = form.get('StatusCallback')
    if (!to)
      return twilioError({ status: 400, code: 21604, message: "A 'To' phone number is required." })
    if (!form.get('From') && !form.get('MessagingServiceSid')) {
      return twilioError({
        status: 400,
        code: 21603,
        message: "A 'From' phone number is required.",
      })
    }
    if (!body)
      return twilioError({ status: 400, code: 21602, message: 'Message body is required.' })
    if (statusCallback && !URL.canParse(statusCallback)) {
      return twilioError({ status: 400, code: 21609, message: 'Invalid StatusCallback URL' })
    }
    const rejection = REJECTIONS[to] ?? this.#throttleOnce(to, statusCallback ?? body)
    if (rejection) return twilioError(rejection)

    const message = messageResource(this.#options.accountSid, form, to, body)
    if (statusCallback) {
      this.countSend(new URL(statusCallback).searchParams.get(TWILIO_CALLBACK_MESSAGE_ID_PARAM))
      if (this.#options.callbacks) {
        this.#postStatusCallbacks(statusCallback, message, CALLBACKS[to] ?? DELIVERED)
      }
    }
    const delayMs = to === N.hangs ? (this.#options.hangMs ?? 30_000) : undefined
    return { status: 201, body: message, delayMs }
  }

  #authenticated(request: FakeRequest) {
    const { accountSid, authToken } = this.#options
    const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`
    return request.headers.authorization === expected
  }

  /**
   * Queued at once, so a callback may reach the receiver before the send's
   * own reply reaches the sender: a race real Twilio has too.
   */
  #postStatusCallbacks(url: string, message: MessageResource, steps: CallbackStep[]) {
    const fields = callbackFields(message)
    const requests = steps.map((step) => {
      const params: Record<string, string> = {
        ...fields,
        MessageStatus: step.status,
        SmsStatus: step.status,
        ...(step.errorCode && { ErrorCode: String(step.errorCode) }),
      }
      return {
        body: new URLSearchParams(params).toString(),
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          'User-Agent': 'TwilioProxy/1.1',
          'X-Twilio-Signature': twilioSignature(this.#options.authToken, url, params),
        },
      }
    })
    this.statusCallbacks.enqueue(url, requests)
  }
}

function messageResource(accountSid: string, form: URLSearchParams, to: string, body: string) {
  const sid = `SM${randomBytes(16).toString('hex')}`
  const serviceSid = form.get('MessagingServiceSid')
  const now = new Date().toUTCString().replace('GMT', '+0000')
  const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}`
  return {
    account_sid: accountSid,
    api_version: '2010-04-01',
    body,
    date_created: now,
    date_sent: null,
    date_updated: now,
    direction: 'outbound-api',
    error_code: null,
    error_message: null,
    from: form.get('From'),
    messaging_service_sid: serviceSid,
    num_media: '0',
    num_segments: String(smsEncoding(body).segments),
    price: null,
    price_unit: 'USD',
    sid,
    // Twilio answers "accepted" when a Messaging Service still has to pick the sender
    status: serviceSid ? 'accepted' : 'queued',
    subresource_uris: { media: `${uri}/Media.json` },
    to,
    uri: `${uri}.json`,
  }
}

type MessageResource = ReturnType<typeof messageResource>

/** The account resource; like Twilio's, it carries the auth token */
function accountResource(accountSid: string, authToken: string) {
  const created = new Date(Date.UTC(2020, 0, 1)).toUTCString().replace('GMT', '+0000')
  const uri = `/2010-04-01/Accounts/${accountSid}`
  return {
    auth_token: authToken,
    date_created: created,
    date_updated: created,
    friendly_name: 'Switchboard fake account',
    owner_account_sid: accountSid,
    sid: accountSid,
    status: 'active',
    subresource_uris: { messages: `${uri}/Messages.json` },
    type: 'Full',
    uri: `${uri}.json`,
  }
}

function callbackFields(message: MessageResource): Record<string, string> {
  return {
    AccountSid: message.account_sid,
    ApiVersion: '2010-04-01',
    From: message.from ?? '',
    MessageSid: message.sid,
    SmsSid: message.sid,
    To: message.to,
    ...(message.messaging_service_sid && { MessagingServiceSid: message.messaging_service_sid }),
  }
}

/** base64 HMAC-SHA1 of the URL followed by every parameter as key + value, keys sorted */
function twilioSignature(authToken: string, url: string, params: Record<string, string>) {
  const data = Object.keys(params)
    .sort()
    .reduce((signed, key) => signed + key + params[key], url)
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64')
}

function twilioError({ status, code, message }: TwilioError): FakeReply {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  }
}
