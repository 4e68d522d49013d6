import { X509Certificate, randomUUID, verify } from 'node:crypto'
import { test } from '@japa/runner'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { Channel } from '#enums/channel'
import type { EgressOptions, GatewayErrorClass, GatewayResult } from '#messaging/channels/gateway'
import type { EmailOutbound } from '#messaging/channels/outbound'
import { SesGateway, type SesGatewayConfig } from '#messaging/vendors/ses/gateway'
import { CallbackReceiver, type ReceivedCallback } from '#tests/helpers/callback_receiver'
import { SesFakeServer } from '#messaging/vendors/ses/fake'
import { SES_MAGIC_RECIPIENTS } from '#messaging/vendors/ses/magic_recipients'

const ACCESS_KEY_ID = 'AKIAFAKESWITCHBOARD1'
const FROM = 'noreply@mail.switchboard.test'
const CONFIGURATION_SET = 'switchboard-events'
const TIMEOUT_MS = 400

/** The fakes listen on loopback, which the operator allows here as in the sandbox */
const policy = new EgressPolicy(['127.0.0.0/8'])

function email(to: string): EmailOutbound {
  const messageId = randomUUID()
  return {
    channel: Channel.Email,
    messageId,
    tenantId: randomUUID(),
    messageType: 'test.message',
    to,
    subject: 'Your code',
    html: '<p>123456</p>',
    text: '123456',
    replyTo: 'support@tenant.test',
    headers: { 'X-Switchboard-Message-Id': messageId },
    tags: { switchboard_message_id: messageId },
  }
}

/** The provider id of a send that must have been accepted */
function accepted(result: GatewayResult) {
  if (!result.ok) throw new Error(`send failed: ${result.code} ${result.message}`)
  return result.providerMessageId
}

interface SesEvent {
  eventType?: string
  notificationType?: string
  mail: { messageId: string; tags?: Record<string, string[]> }
  bounce?: { bounceType: string; bounceSubType: string }
}

function sesEventOf(callback: ReceivedCallback) {
  return JSON.parse(JSON.parse(callback.rawBody).Message) as SesEvent
}

/** SNS's string to sign for a Notification, written from the spec, independent of the fake */
function snsStringToSign(notification: Record<string, string>) {
  return ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
    .filter((key) => key in notification)
    .map((key) => `${key}\n${notification[key]}\n`)
    .join('')
}

test.group('SesGateway against the fake SES', (group) => {
  let fake: SesFakeServer
  let receiver: CallbackReceiver
  let config: SesGatewayConfig & EgressOptions
  let gateway: SesGateway

  group.setup(async () => {
    receiver = await new CallbackReceiver().start()
    fake = await new SesFakeServer({
      accessKeyId: ACCESS_KEY_ID,
      callbacks: { url: receiver.url },
      hangMs: 5_000,
    }).start()
    config = {
      region: 'us-east-1',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: 'fake-secret',
      endpoint: fake.baseUrl,
      from: FROM,
      configurationSet: CONFIGURATION_SET,
      timeoutMs: TIMEOUT_MS,
      policy,
    }
    gateway = new SesGateway(config)
    return async () => {
      await fake.stop()
      await receiver.stop()
    }
  })

  test('sends an email and returns the SES MessageId', async ({ assert }) => {
    const message = email(SES_MAGIC_RECIPIENTS.success)

    const providerMessageId = accepted(await gateway.send(message))

    assert.match(providerMessageId, /^0100[0-9a-f]{12}-[0-9a-f-]{36}-000000$/)
    assert.equal(fake.sendsByMessageId.get(message.messageId), 1)

    const request = fake.received.at(-1)!
    assert.equal(request.path, '/v2/email/outbound-emails')
    assert.containSubset(JSON.parse(request.rawBody), {
      FromEmailAddress: FROM,
      Destination: { ToAddresses: [message.to] },
      ReplyToAddresses: ['support@tenant.test'],
      Content: {
        Simple: {
          Subject: { Data: 'Your code' },
          Body: { Text: { Data: '123456' }, Html: { Data: '<p>123456</p>' } },
          Headers: [{ Name: 'X-Switchboard-Message-Id', Value: message.messageId }],
        },
      },
      EmailTags: [{ Name: 'switchboard_message_id', Value: message.messageId }],
      ConfigurationSetName: CONFIGURATION_SET,
    })
  })

  test('SES error {name} is a {errorClass} failure')
    .with([
      { name: 'TooManyRequestsException', errorClass: 'retry' },
      { name: 'ThrottlingException', errorClass: 'retry' },
      { name: 'InternalServiceErrorException', errorClass: 'retry' },
      { name: 'LimitExceededException', errorClass: 'retry' },
      { name: 'SendingPausedException', errorClass: 'config' },
      { name: 'AccountSuspendedException', errorClass: 'config' },
      { name: 'MailFromDomainNotVerifiedException', errorClass: 'config' },
      { name: 'NotFoundException', errorClass: 'config' },
      { name: 'MessageRejected', errorClass: 'permanent' },
      { name: 'BadRequestException', errorClass: 'permanent' },
    ] satisfies Array<{ name: string; errorClass: GatewayErrorClass }>)
    .run(async ({ assert }, { name, errorClass }) => {
      const message = email(SES_MAGIC_RECIPIENTS.error(name))

      const result = await gateway.send(message)

      assert.containSubset(result, { ok: false, errorClass, code: name })
      assert.isFalse(fake.sendsByMessageId.has(message.messageId))
    })

  test('{label} is a {errorClass} failure')
    .with([
      {
        label: 'throttle@',
        to: SES_MAGIC_RECIPIENTS.throttle,
        errorClass: 'retry',
        code: 'TooManyRequestsException',
      },
      {
        label: 'rejected@',
        to: SES_MAGIC_RECIPIENTS.rejected,
        errorClass: 'permanent',
        code: 'MessageRejected',
      },
      {
        label: 'an HTML 503',
        to: SES_MAGIC_RECIPIENTS.fail503,
        errorClass: 'retry',
        code: 'HTTP_503',
      },
    ] satisfies Array<{ label: string; to: string; errorClass: GatewayErrorClass; code: string }>)
    .run(async ({ assert }, { to, errorClass, code }) => {
      const result = await gateway.send(email(to))

      assert.containSubset(result, { ok: false, errorClass, code })
    })

  test('a reply after the timeout is a retry failure', async ({ assert }) => {
    const message = email(SES_MAGIC_RECIPIENTS.timeout)
    const startedAt = Date.now()

    const result = await gateway.send(message)

    assert.containSubset(result, { ok: false, errorClass: 'retry', code: 'TIMEOUT' })
    assert.isBelow(Date.now() - startedAt, TIMEOUT_MS + 1_000)
    // SES may still have taken it: why a retry after a timeout can duplicate.
    assert.equal(fake.sendsByMessageId.get(message.messageId), 1)
  })

  test('a wrong access key is a config failure', async ({ assert }) => {
    const misconfigured = new SesGateway({ ...config, accessKeyId: 'AKIAREVOKEDKEY000000' })

    const result = await misconfigured.send(email(SES_MAGIC_RECIPIENTS.success))

    assert.containSubset(result, {
      ok: false,
      errorClass: 'config',
      code: 'UnrecognizedClientException',
    })
  })

  test('{label} is one request at SES: the SDK never retries on its own')
    .with([
      { label: 'an HTML 503', to: SES_MAGIC_RECIPIENTS.fail503, code: 'HTTP_503' },
      { label: 'throttle@', to: SES_MAGIC_RECIPIENTS.throttle, code: 'TooManyRequestsException' },
    ])
    .run(async ({ assert }, { to, code }) => {
      const requestsBefore = fake.received.length

      const result = await gateway.send(email(to))

      assert.containSubset(result, { ok: false, errorClass: 'retry', code })
      assert.equal(fake.received.length - requestsBefore, 1)
    })

  test('a delivery event arrives as an SNS notification signed with the fake certificate', async ({
    assert,
  }) => {
    const message = email(SES_MAGIC_RECIPIENTS.success)
    const providerMessageId = accepted(await gateway.send(message))

    const [callback] = await receiver.waitFor(
      (received) => sesEventOf(received).mail.messageId === providerMessageId,
      1
    )
    assert.equal(callback.headers['x-amz-sns-message-type'], 'Notification')
    assert.match(String(callback.headers['content-type']), /^text\/plain/)

    const notification = JSON.parse(callback.rawBody) as Record<string, string>
    assert.equal(notification.SignatureVersion, '2')
    assert.equal(notification.TopicArn, fake.sns.topicArn)
    assert.match(
      notification.SigningCertURL,
      /^https:\/\/sns\.us-east-1\.amazonaws\.com\/SimpleNotificationService-[0-9a-f]{32}\.pem$/
    )
    assert.equal(notification.SigningCertURL, fake.sns.signingCertUrl)

    const certificate = new X509Certificate(fake.sns.certificatePem)
    assert.isTrue(certificate.verify(certificate.publicKey))
    const signature = Buffer.from(notification.Signature, 'base64')
    const signed = Buffer.from(snsStringToSign(notification))
    assert.isTrue(verify('sha256', signed, certificate.publicKey, signature))
    const tampered = Buffer.from(snsStringToSign({ ...notification, Message: '{}' }))
    assert.isFalse(verify('sha256', tampered, certificate.publicKey, signature))

    const event = sesEventOf(callback)
    assert.equal(event.eventType, 'Delivery')
    assert.deepEqual(event.mail.tags?.switchboard_message_id, [message.messageId])
  })

  test('{label} produces {events}')
    .with([
      { label: 'bounce@', to: SES_MAGIC_RECIPIENTS.bounce, events: ['Bounce'] },
      {
        label: 'complaint@',
        to: SES_MAGIC_RECIPIENTS.complaint,
        events: ['Delivery', 'Complaint'],
      },
      { label: 'suppressionlist@', to: SES_MAGIC_RECIPIENTS.suppressionList, events: ['Bounce'] },
    ])
    .run(async ({ assert }, { to, events }) => {
      const providerMessageId = accepted(await gateway.send(email(to)))

      const callbacks = await receiver.waitFor(
        (received) => sesEventOf(received).mail.messageId === providerMessageId,
        events.length
      )

      const received = callbacks.map(sesEventOf)
      assert.deepEqual(
        received.map((event) => event.eventType),
        events
      )
      for (const event of received.filter((each) => each.bounce)) {
        assert.equal(event.bounce?.bounceType, 'Permanent')
      }
    })

  test('without a configuration set, events are identity notifications', async ({ assert }) => {
    const identityGateway = new SesGateway({ ...config, configurationSet: undefined })

    const providerMessageId = accepted(
      await identityGateway.send(email(SES_MAGIC_RECIPIENTS.bounce))
    )

    const [callback] = await receiver.waitFor(
      (received) => sesEventOf(received).mail.messageId === providerMessageId,
      1
    )
    const event = sesEventOf(callback)
    assert.equal(event.notificationType, 'Bounce')
    assert.isUndefined(event.eventType)
  })
})
