import { randomBytes, randomUUID, sign } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import fc from 'fast-check'
import twilio from 'twilio'
import { appUrl } from '#config/app'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { signWebhook } from '#messaging/signing/webhook_signature'
import { SnsFetcher } from '#messaging/vendors/ses/sns_fetcher'
import { SnsNotificationSigner } from '#messaging/vendors/ses/fake_sns_signer'
import {
  describeRequest,
  hostileRequests,
  type HostileRequest,
  type HostileTarget,
} from '#tests/helpers/hostile_requests'
import { postalSigningKey } from '#tests/helpers/inbound'
import { createTenant } from '#tests/helpers/tenants'
import { FakeSnsFetcher, createProviderConfig, webhookPath } from '#tests/helpers/webhooks'

const RUNS = 5_200
/** Every table a request could write to */
const TABLES = [
  'messages',
  'delivery_events',
  'provider_configs',
  'message_templates',
  'suppressions',
  'contacts',
  'conversations',
] as const
const SNS_TOPIC = 'arn:aws:sns:us-east-1:123456789012:switchboard-hostile'
const TWILIO_SID = `AC${'0'.repeat(32)}`
const TWILIO_TOKEN = 'hostile-twilio-auth-token'
const REPORT_SECRET = 'hostile-push-report-secret'

type RowCounts = Record<(typeof TABLES)[number], number>

async function rowCounts(): Promise<RowCounts> {
  const columns = TABLES.map((table) => `(SELECT count(*)::int FROM ${table}) AS ${table}`)
  const result = await db.rawQuery(`SELECT ${columns.join(', ')}`)
  return result.rows[0]
}

interface Outcome {
  request: HostileRequest
  status: number
  reply: string
  written: string[]
}

/** Why an outcome breaks the rules, or null: no 5xx, the error shape, no writes when rejected */
function violation({ status, reply, written }: Outcome) {
  if (status >= 500) return `answered ${status}`
  if (status >= 400) {
    if (written.length > 0) return `rejected with ${status} but wrote to ${written.join(', ')}`
    try {
      const { errors } = JSON.parse(reply)
      if (typeof errors?.[0]?.code !== 'string') return `${status} without the error shape`
    } catch {
      return `${status} with a body that is not JSON`
    }
  }
  return null
}

function summary({ request, status, reply }: Outcome) {
  return `${describeRequest(request)}\n  → ${status} ${reply.slice(0, 300)}`
}

test.group('Faults: hostile input', (group) => {
  const targets: HostileTarget[] = []

  group.setup(async () => {
    const { apiKey, tenant } = await createTenant('Hostile input')
    const authorization = `Bearer ${apiKey}`
    const messageId = randomUUID()
    const now = Date.now() / 1000

    const postalKey = postalSigningKey()
    const postal = await createProviderConfig(
      GatewayType.Postal,
      Channel.Email,
      {
        baseUrl: 'http://127.0.0.1:9',
        apiKey: 'hostile',
        from: 'hostile@example.com',
        webhookPublicKey: postalKey.publicKey,
      },
      tenant.id
    )
    const postalSigned = (body: string) => ({
      body,
      headers: {
        'x-postal-signature-256': sign('sha256', Buffer.from(body), postalKey.privateKey).toString(
          'base64'
        ),
      },
    })
    const forgedPostal = fc
      .uint8Array({ minLength: 0, maxLength: 300 })
      .map((bytes) => ({ 'x-postal-signature-256': Buffer.from(bytes).toString('base64') }))

    const twilioConfig = await createProviderConfig(
      GatewayType.Twilio,
      Channel.Sms,
      { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: '+15005550006' },
      tenant.id
    )
    const twilioSigned = (path: string) => (body: string) => ({
      body,
      headers: {
        'x-twilio-signature': twilio.getExpectedTwilioSignature(
          TWILIO_TOKEN,
          `${appUrl}${path}`,
          Object.fromEntries(new URLSearchParams(body))
        ),
      },
    })
    const forgedTwilio = fc
      .string({ maxLength: 40 })
      .map((signature) => ({ 'x-twilio-signature': signature }))

    const sns = new SnsNotificationSigner(SNS_TOPIC, 'us-east-1')
    const ses = await createProviderConfig(
      GatewayType.Ses,
      Channel.Email,
      {
        region: 'us-east-1',
        accessKeyId: 'AKIAHOSTILE',
        secretAccessKey: 'hostile',
        from: 'hostile@example.com',
        snsTopicArn: SNS_TOPIC,
      },
      tenant.id
    )
    // SNS certificates come from the fake signer, never from the network
    app.container.swap(SnsFetcher, () =>
      new FakeSnsFetcher().serve(sns.signingCertUrl, sns.certificatePem)
    )

    const fcm = await createProviderConfig(
      GatewayType.Fcm,
      Channel.Push,
      {
        projectId: 'hostile',
        serviceAccount: { client_email: 'hostile@hostile.iam.test', private_key: 'x' },
        reportSecret: REPORT_SECRET,
      },
      tenant.id
    )
    const reportSigned = (body: string) => {
      const timestamp = Math.floor(Date.now() / 1000)
      return {
        body,
        headers: {
          'x-switchboard-timestamp': String(timestamp),
          'x-switchboard-signature': signWebhook(REPORT_SECRET, timestamp, body),
        },
      }
    }
    const forgedReport = fc.record({
      'x-switchboard-timestamp': fc.oneof(fc.string({ maxLength: 12 }), fc.nat().map(String)),
      'x-switchboard-signature': fc.string({ maxLength: 80 }).map((hex) => `v1=${hex}`),
    })

    const postalMessage = {
      id: 1,
      token: 'abc123',
      direction: 'outgoing',
      message_id: 'x@rp.example.com',
      to: 'ada@example.com',
      from: 'hostile@example.com',
      subject: 'Hi',
      tag: messageId,
      timestamp: now,
    }
    const twilioPath = webhookPath('twilio', twilioConfig.id)
    const twilioInboundPath = `${twilioPath}/inbound`
    const pushReport = { messageId, event: 'delivered', reportId: 'report-1' }

    targets.push(
      {
        path: '/api/v1/messages',
        authorization,
        valid: [
          {
            channel: 'email',
            recipient: 'ada@example.com',
            subject: 'Hi',
            content: { text: 'Hello', html: '<p>Hello</p>', variables: { name: 'Ada' } },
            priority: 'P3',
            metadata: { order: 42 },
          },
          { channel: 'sms', recipient: '+14155550100', content: { text: 'Hello' } },
          {
            channel: 'push',
            recipient: `device-${'x'.repeat(40)}`,
            subject: 'Hi',
            content: { text: 'Hello' },
          },
        ],
      },
      {
        path: '/api/v1/messages/bulk',
        authorization,
        valid: [
          {
            channel: 'email',
            subject: 'Hi',
            content: { text: 'Hello {{ name }}' },
            recipients: [
              { recipient: 'ada@example.com', variables: { name: 'Ada' } },
              { recipient: 'grace@example.com' },
            ],
          },
        ],
      },
      {
        path: '/api/v1/providers',
        authorization,
        valid: [
          {
            type: 'postal',
            channel: 'email',
            name: 'Postal',
            config: { baseUrl: 'http://127.0.0.1:9', apiKey: 'key', from: 'a@example.com' },
            metadata: { tps: 10 },
          },
          {
            type: 'twilio',
            channel: 'sms',
            name: 'Twilio',
            config: { accountSid: TWILIO_SID, authToken: 'token', from: '+15005550006' },
          },
        ],
      },
      {
        path: '/api/v1/templates',
        authorization,
        valid: [
          {
            name: 'welcome',
            channel: 'email',
            locale: 'en',
            subject: 'Welcome, {{ name }}',
            html: '<p>{% if vip %}Dear{% endif %} {{ name | upcase }}</p>',
            text: 'Hello {{ name }}',
            requiredVariables: ['name'],
          },
        ],
      },
      {
        path: '/api/v1/suppressions',
        authorization,
        valid: [{ channel: 'email', recipient: 'ada@example.com', details: { note: 'asked' } }],
      },
      {
        path: '/api/webhooks/communication/firebase',
        authorization,
        valid: [pushReport],
      },
      {
        path: webhookPath('firebase', fcm.id),
        valid: [pushReport],
        sign: reportSigned,
        forge: forgedReport,
      },
      {
        path: webhookPath('postal', postal.id),
        valid: [
          {
            event: 'MessageSent',
            timestamp: now,
            uuid: randomUUID(),
            payload: { message: postalMessage, status: 'Sent', details: 'ok', timestamp: now },
          },
          {
            event: 'MessageBounced',
            timestamp: now,
            uuid: randomUUID(),
            payload: { original_message: postalMessage, bounce: { ...postalMessage, id: 2 } },
          },
        ],
        sign: postalSigned,
        forge: forgedPostal,
      },
      {
        path: `${webhookPath('postal', postal.id)}/inbound`,
        valid: [
          {
            id: 7,
            rcpt_to: 'support@example.com',
            mail_from: 'ada@example.com',
            from: 'Ada <ada@example.com>',
            subject: 'Re: Hi',
            plain_body: 'STOP',
            message_id: '<reply@example.com>',
            timestamp: now,
          },
        ],
        sign: postalSigned,
        forge: forgedPostal,
      },
      {
        path: twilioPath,
        form: true,
        valid: [
          {
            MessageSid: `SM${randomBytes(16).toString('hex')}`,
            MessageStatus: 'delivered',
            AccountSid: TWILIO_SID,
            To: '+14155550100',
            From: '+15005550006',
          },
        ],
        sign: twilioSigned(twilioPath),
        forge: forgedTwilio,
      },
      {
        path: twilioInboundPath,
        form: true,
        valid: [
          {
            MessageSid: `SM${randomBytes(16).toString('hex')}`,
            AccountSid: TWILIO_SID,
            From: '+14155550100',
            To: '+15005550006',
            Body: 'STOP',
          },
        ],
        sign: twilioSigned(twilioInboundPath),
        forge: forgedTwilio,
      },
      {
        path: webhookPath('ses', ses.id),
        valid: [
          {
            eventType: 'Bounce',
            mail: {
              timestamp: new Date().toISOString(),
              messageId: 'ses-message-id',
              destination: ['ada@example.com'],
              tags: { switchboard_message_id: [messageId] },
            },
            bounce: {
              bounceType: 'Permanent',
              bounceSubType: 'General',
              bouncedRecipients: [{ emailAddress: 'ada@example.com', status: '5.1.1' }],
              timestamp: new Date().toISOString(),
            },
          },
        ],
        // Hostile SES events inside genuinely signed SNS notifications
        sign: (body) => sns.notification(body),
      },
      {
        path: webhookPath('postal', randomUUID()),
        valid: [{ event: 'MessageSent', payload: {} }],
      }
    )
    return () => app.container.restore(SnsFetcher)
  })

  test('≥ 5,000 generated malformed, oversized and mistyped requests: no 5xx, rejected ones write nothing', async ({
    assert,
  }) => {
    const statuses = new Map<string, number>()
    const accepted = new Map<string, number>()
    let counts = await rowCounts()
    let sent = 0

    await fc.assert(
      fc.asyncProperty(hostileRequests(targets), async (request) => {
        const response = await fetch(`${appUrl}${request.path}`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        })
        const outcome: Outcome = {
          request,
          status: response.status,
          reply: await response.text(),
          written: [],
        }
        const after = await rowCounts()
        outcome.written = TABLES.filter((table) => after[table] !== counts[table])
        counts = after
        sent++
        const statusKey = `${response.status}`
        statuses.set(statusKey, (statuses.get(statusKey) ?? 0) + 1)
        if (response.status < 300) {
          accepted.set(request.path, (accepted.get(request.path) ?? 0) + 1)
        }
        const problem = violation(outcome)
        if (problem) throw new Error(`${problem}:\n${summary(outcome)}`)
      }),
      { numRuns: RUNS }
    )

    console.log(
      `  ${sent} hostile requests: ${[...statuses].map(([status, count]) => `${count} × ${status}`).join(', ')}; ` +
        `accepted: ${[...accepted].map(([path, count]) => `${path.replace(/[0-9a-f-]{36}/g, ':id')} ${count}`).join(', ') || 'none'}`
    )
    assert.isAtLeast(sent, RUNS)
  })
})
