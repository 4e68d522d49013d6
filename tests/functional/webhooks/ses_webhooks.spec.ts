import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import type ProviderConfig from '#models/provider_config'
import { SesGateway } from '#messaging/vendors/ses/gateway'
import { SnsFetcher } from '#messaging/vendors/ses/sns_fetcher'
import { SesFakeServer } from '#messaging/vendors/ses/fake'
import { SES_MAGIC_RECIPIENTS } from '#messaging/vendors/ses/magic_recipients'
import { SnsNotificationSigner } from '#messaging/vendors/ses/fake_sns_signer'
import { CallbackReceiver } from '#tests/helpers/callback_receiver'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import {
  FakeSnsFetcher,
  createProviderConfig,
  markSent,
  messageRow,
  statusOf,
  providerEventsOf,
  replay,
  webhookPath,
} from '#tests/helpers/webhooks'

const ACCESS_KEY_ID = 'AKIASESWEBHOOKTEST'
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:switchboard-ses-events'
const FROM = 'noreply@mail.switchboard.test'
const DAY_MS = 86_400_000

/** An SES event as SES publishes it to SNS (event publishing, configuration set) */
function sesEvent(type: string, mailMessageId: string, detail: Record<string, unknown>) {
  const key = type === 'DeliveryDelay' ? 'deliveryDelay' : type.toLowerCase()
  return JSON.stringify({
    eventType: type,
    mail: { timestamp: new Date().toISOString(), messageId: mailMessageId, destination: [] },
    [key]: detail,
  })
}

function transientBounce(recipient: string) {
  return {
    bounceType: 'Transient',
    bounceSubType: 'MailboxFull',
    bouncedRecipients: [{ emailAddress: recipient, status: '4.2.2', diagnosticCode: 'smtp; 452' }],
    timestamp: new Date().toISOString(),
  }
}

test.group('SES webhooks (SNS)', (group) => {
  let fake: SesFakeServer
  let receiver: CallbackReceiver
  let gateway: SesGateway
  let config: ProviderConfig
  let fetcher: FakeSnsFetcher
  let stranger: SnsNotificationSigner
  let sender: TestTenant

  group.setup(async () => {
    receiver = await new CallbackReceiver().start()
    fake = await new SesFakeServer({
      accessKeyId: ACCESS_KEY_ID,
      topicArn: TOPIC_ARN,
      callbacks: { url: receiver.url },
    }).start()
    const credentials = {
      region: 'us-east-1',
      accessKeyId: ACCESS_KEY_ID,
      secretAccessKey: 'ses-webhook-test-secret',
      endpoint: fake.baseUrl,
      from: FROM,
      configurationSet: 'switchboard-events',
      snsTopicArn: TOPIC_ARN,
    }
    // The fake listens on loopback, which the operator allows here as in the sandbox
    gateway = new SesGateway({ ...credentials, policy: new EgressPolicy(['127.0.0.0/8']) })
    config = await createProviderConfig(GatewayType.Ses, Channel.Email, credentials)
    // A genuine SNS topic, signed by SNS, that this account does not subscribe to
    stranger = new SnsNotificationSigner('arn:aws:sns:us-east-1:999999999999:other', 'us-east-1')
    fetcher = new FakeSnsFetcher()
      .serve(fake.sns.signingCertUrl, fake.sns.certificatePem)
      .serve(stranger.signingCertUrl, stranger.certificatePem)
    app.container.swap(SnsFetcher, () => fetcher)
    sender = await createTenant('SES webhooks')
    return async () => {
      app.container.restore(SnsFetcher)
      await fake.stop()
      await receiver.stop()
    }
  })

  /** A message accepted by the API and recorded sent with an SES MessageId. */
  async function sentMessage(client: ApiClient, recipient: string) {
    const created = await client
      .post('/api/v1/messages')
      .headers(sender.headers)
      .json({ channel: 'email', recipient, subject: 'Hello', content: { text: 'Hi' } })
    const id: string = created.body().id
    const providerMessageId = `0100${randomUUID()}-000000`
    await markSent(id, { providerConfigId: config.id, gateway: 'ses', providerMessageId })
    return { id, providerMessageId }
  }

  /** Sent through the fake SES; resolves with the signed SNS notifications it published. */
  async function sentThroughSes(client: ApiClient, recipient: string, notifications: number) {
    const created = await client
      .post('/api/v1/messages')
      .headers(sender.headers)
      .json({ channel: 'email', recipient, subject: 'Hello', content: { text: 'Hi' } })
    const id: string = created.body().id
    const result = await gateway.send({
      channel: Channel.Email,
      messageId: id,
      tenantId: sender.tenant.id,
      messageType: 'test.message',
      to: recipient,
      subject: 'Hello',
      html: null,
      text: 'Hi',
      replyTo: null,
      headers: {},
      tags: { switchboard_message_id: id },
    })
    if (!result.ok) throw new Error(`the fake SES refused the send: ${result.message}`)
    await markSent(id, {
      providerConfigId: config.id,
      gateway: 'ses',
      providerMessageId: result.providerMessageId,
    })
    const callbacks = await receiver.waitFor(
      (callback) =>
        JSON.parse(JSON.parse(callback.rawBody).Message).mail.messageId ===
        result.providerMessageId,
      notifications
    )
    return {
      id,
      callbacks: callbacks.map((callback) => ({
        body: callback.rawBody,
        headers: callback.headers,
      })),
    }
  }

  function post(client: ApiClient, delivery: Parameters<typeof replay>[2]) {
    return replay(client, webhookPath('ses', config.id), delivery)
  }

  async function accepted(client: ApiClient, delivery: Parameters<typeof replay>[2]) {
    const response = await post(client, delivery)
    response.assertStatus(200)
  }

  test('a Delivery notification marks the message delivered', async ({ client, assert }) => {
    const { id, callbacks } = await sentThroughSes(client, SES_MAGIC_RECIPIENTS.success, 1)

    const response = await post(client, callbacks[0])

    response.assertStatus(200)
    assert.equal(await statusOf(id), 'delivered')
    const [event] = await providerEventsOf(id)
    assert.equal(event.type, 'delivered')
    assert.equal(event.source, 'ses')
    assert.equal(event.payload.Type, 'Notification')
    const snsMessageId = JSON.parse(callbacks[0].body).MessageId
    assert.equal(event.provider_event_id, `${snsMessageId}:${SES_MAGIC_RECIPIENTS.success}`)
  })

  test('a Permanent bounce fails the message and suppresses the recipient', async ({
    client,
    assert,
  }) => {
    const { id, callbacks } = await sentThroughSes(client, SES_MAGIC_RECIPIENTS.bounce, 1)

    const response = await post(client, callbacks[0])

    response.assertStatus(200)
    const message = await messageRow(id)
    assert.equal(message.status, 'failed')
    assert.equal(message.last_error_code, 'Permanent/General')
    const suppression = await db
      .from('suppressions')
      .where({ tenant_id: sender.tenant.id, recipient: SES_MAGIC_RECIPIENTS.bounce })
      .firstOrFail()
    assert.equal(suppression.reason, 'hard_bounce')
  })

  test('a complaint after delivery fails the message and suppresses the recipient', async ({
    client,
    assert,
  }) => {
    const { id, callbacks } = await sentThroughSes(client, SES_MAGIC_RECIPIENTS.complaint, 2)

    for (const callback of callbacks) {
      const response = await post(client, callback)
      response.assertStatus(200)
    }

    assert.equal(await statusOf(id), 'failed')
    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((event) => event.type),
      ['delivered', 'complained']
    )
    const suppression = await db
      .from('suppressions')
      .where({ tenant_id: sender.tenant.id, recipient: SES_MAGIC_RECIPIENTS.complaint })
      .firstOrFail()
    assert.equal(suppression.reason, 'complaint')
  })

  test('three Transient bounces to one recipient suppress it; two do not', async ({
    client,
    assert,
  }) => {
    const recipient = `full-mailbox-${randomUUID()}@example.com`
    const suppressed = () =>
      db.from('suppressions').where({ tenant_id: sender.tenant.id, recipient }).first()

    for (const round of [1, 2, 3]) {
      const { id, providerMessageId } = await sentMessage(client, recipient)
      const notification = fake.sns.notification(
        sesEvent('Bounce', providerMessageId, transientBounce(recipient))
      )
      const response = await post(client, notification)
      response.assertStatus(200)

      const message = await messageRow(id)
      assert.equal(message.status, 'sent', 'a soft bounce leaves the status as it is')
      if (round < 3) assert.isNull(await suppressed())
    }

    const suppression = await suppressed()
    assert.equal(suppression?.reason, 'soft_bounce')
  })

  test('soft bounces of another tenant do not count', async ({ client, assert }) => {
    const recipient = `shared-${randomUUID()}@example.com`
    const other = await createTenant('Other SES sender')
    for (const tenant of [sender, sender, other]) {
      const created = await client
        .post('/api/v1/messages')
        .headers(tenant.headers)
        .json({ channel: 'email', recipient, subject: 'Hello', content: { text: 'Hi' } })
      const providerMessageId = `0100${randomUUID()}-000000`
      await markSent(created.body().id, {
        providerConfigId: config.id,
        gateway: 'ses',
        providerMessageId,
      })
      const notification = fake.sns.notification(
        sesEvent('Bounce', providerMessageId, transientBounce(recipient))
      )
      await accepted(client, notification)
    }

    const suppressions = await db.from('suppressions').where('recipient', recipient)
    assert.lengthOf(suppressions, 0)
  })

  test('delivered arriving before sent leaves the message delivered with both events', async ({
    client,
    assert,
  }) => {
    const { id, providerMessageId } = await sentMessage(client, 'ordering@example.com')
    const delivery = fake.sns.notification(
      sesEvent('Delivery', providerMessageId, {
        timestamp: new Date().toISOString(),
        recipients: ['ordering@example.com'],
        smtpResponse: '250 OK',
      })
    )
    const send = fake.sns.notification(sesEvent('Send', providerMessageId, {}))

    await accepted(client, delivery)
    await accepted(client, send)

    assert.equal(await statusOf(id), 'delivered')
    const events = await providerEventsOf(id)
    assert.deepEqual(
      events.map((event) => event.type),
      ['delivered', 'sent']
    )
  })

  test('an open sets the first-open time once and implies delivery', async ({ client, assert }) => {
    const { id, providerMessageId } = await sentMessage(client, 'reader@example.com')
    const firstOpen = new Date(Date.now() - 60_000)
    const open = (at: Date) =>
      fake.sns.notification(sesEvent('Open', providerMessageId, { timestamp: at.toISOString() }))

    await accepted(client, open(firstOpen))
    await accepted(client, open(new Date()))

    const message = await messageRow(id)
    assert.equal(message.status, 'delivered')
    assert.equal(new Date(message.opened_at).getTime(), firstOpen.getTime())
    assert.lengthOf(await providerEventsOf(id), 2)
  })

  test('signature version 1 (SHA1withRSA) is accepted', async ({ client, assert }) => {
    const { id, providerMessageId } = await sentMessage(client, 'v1@example.com')
    const delivery = fake.sns.notification(
      sesEvent('Delivery', providerMessageId, { recipients: ['v1@example.com'] }),
      undefined,
      { signatureVersion: '1' }
    )

    await accepted(client, delivery)

    assert.equal(await statusOf(id), 'delivered')
  })

  test('refused with 401, nothing stored: {case}')
    .with([
      {
        case: 'tampered message',
        delivery: (signer: SnsNotificationSigner, message: string) => {
          const signed = signer.notification(message)
          const body = JSON.parse(signed.body)
          body.Message = body.Message.replace('Delivery', 'Bounce')
          return { body: JSON.stringify(body), headers: signed.headers }
        },
      },
      {
        case: 'missing signature',
        delivery: (signer: SnsNotificationSigner, message: string) => {
          const signed = signer.notification(message)
          const body = JSON.parse(signed.body)
          delete body.Signature
          return { body: JSON.stringify(body), headers: signed.headers }
        },
      },
      {
        case: 'another topic',
        delivery: (_signer: SnsNotificationSigner, message: string) =>
          stranger.notification(message),
      },
      {
        case: 'a certificate URL off the SNS hosts',
        delivery: (signer: SnsNotificationSigner, message: string) => {
          const signed = signer.notification(message)
          const body = JSON.parse(signed.body)
          body.SigningCertURL = body.SigningCertURL.replace(
            'amazonaws.com',
            'amazonaws.com.evil.test'
          )
          return { body: JSON.stringify(body), headers: signed.headers }
        },
      },
      {
        case: 'a certificate URL over http',
        delivery: (signer: SnsNotificationSigner, message: string) => {
          const signed = signer.notification(message)
          const body = JSON.parse(signed.body)
          body.SigningCertURL = body.SigningCertURL.replace('https:', 'http:')
          return { body: JSON.stringify(body), headers: signed.headers }
        },
      },
      {
        case: 'an expired timestamp',
        delivery: (signer: SnsNotificationSigner, message: string) =>
          signer.notification(message, undefined, { timestamp: new Date(Date.now() - 2 * DAY_MS) }),
      },
    ])
    .run(async ({ client, assert }, { delivery }) => {
      const { id, providerMessageId } = await sentMessage(client, 'target@example.com')
      const message = sesEvent('Delivery', providerMessageId, {
        recipients: ['target@example.com'],
      })
      const signed = delivery(fake.sns, message)
      // Whatever URL a delivery names serves a certificate that verifies it: only the rules refuse
      const certificateUrl = JSON.parse(signed.body).SigningCertURL
      if (!fetcher.certificates.has(certificateUrl)) {
        fetcher.serve(certificateUrl, fake.sns.certificatePem)
      }

      const response = await post(client, signed)

      response.assertStatus(401)
      assert.equal(response.body().errors[0].code, 'E_INVALID_SIGNATURE')
      assert.equal(await statusOf(id), 'sent')
      assert.lengthOf(await providerEventsOf(id), 0)
    })

  test('a SubscriptionConfirmation is verified and confirmed with a GET to its SubscribeURL', async ({
    client,
    assert,
  }) => {
    const confirmation = fake.sns.subscriptionConfirmation()

    const response = await post(client, confirmation)

    response.assertStatus(200)
    response.assertBody({ confirmed: true })
    assert.include(fetcher.confirmed, JSON.parse(confirmation.body).SubscribeURL)
  })

  test('a SubscriptionConfirmation for another topic is not confirmed', async ({
    client,
    assert,
  }) => {
    const confirmation = stranger.subscriptionConfirmation()

    const response = await post(client, confirmation)

    response.assertStatus(401)
    assert.notInclude(fetcher.confirmed, JSON.parse(confirmation.body).SubscribeURL)
  })

  test('an event for an unknown SES message is kept as an orphan', async ({ client, assert }) => {
    const unknownId = `0100${randomUUID()}-000000`
    const notification = fake.sns.notification(
      sesEvent('Delivery', unknownId, { recipients: ['nobody@example.com'] })
    )

    await accepted(client, notification)

    const orphan = await db
      .from('delivery_events')
      .where({ source: 'ses', provider_message_id: unknownId })
      .firstOrFail()
    assert.isNull(orphan.message_id)
  })

  test('a body that is not JSON answers 400; one over the limit 413', async ({ client }) => {
    const notJson = await post(client, {
      body: 'hello',
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
    })
    const tooLarge = await post(client, {
      body: 'x'.repeat(1_100_000),
      headers: { 'content-type': 'text/plain; charset=UTF-8' },
    })

    notJson.assertStatus(400)
    notJson.assertBody({
      errors: [{ code: 'E_MALFORMED_WEBHOOK', message: 'An SNS delivery body must be JSON' }],
    })
    tooLarge.assertStatus(413)
    tooLarge.assertBody({
      errors: [{ code: 'E_PAYLOAD_TOO_LARGE', message: 'The request body is too large' }],
    })
  })
})
