import { createPublicKey, randomUUID, verify } from 'node:crypto'
import { test } from '@japa/runner'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { Channel } from '#enums/channel'
import type { GatewayErrorClass, GatewayResult } from '#messaging/channels/gateway'
import type { EmailOutbound } from '#messaging/channels/outbound'
import { sendThrough } from '#messaging/channels/send_through'
import { PostalGateway } from '#messaging/vendors/postal/gateway'
import { CallbackReceiver, type ReceivedCallback } from '#tests/helpers/callback_receiver'
import { freePort } from '#tests/helpers/ports'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { POSTAL_MAGIC_RECIPIENTS } from '#messaging/vendors/postal/magic_recipients'

const API_KEY = 'postal-test-key'
const FROM = 'noreply@mail.switchboard.test'
const TIMEOUT_MS = 400

/** The fakes listen on loopback, which the operator allows here as in the sandbox */
const policy = new EgressPolicy(['127.0.0.0/8'])

function email(to: string, overrides: Partial<EmailOutbound> = {}): EmailOutbound {
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
    replyTo: null,
    headers: { 'X-Switchboard-Message-Id': messageId },
    tags: { switchboard_message_id: messageId },
    ...overrides,
  }
}

/** The provider id of a send that must have been accepted */
function accepted(result: GatewayResult) {
  if (!result.ok) throw new Error(`send failed: ${result.code} ${result.message}`)
  return result.providerMessageId
}

interface PostalWebhook {
  event: string
  uuid: string
  payload: Record<string, { message_id: string; tag: string | null; to: string }>
}

function webhookOf(callback: ReceivedCallback) {
  return JSON.parse(callback.rawBody) as PostalWebhook
}

test.group('PostalGateway against the fake Postal', (group) => {
  let fake: PostalFakeServer
  let receiver: CallbackReceiver
  let gateway: PostalGateway

  group.setup(async () => {
    receiver = await new CallbackReceiver().start()
    fake = await new PostalFakeServer({
      apiKey: API_KEY,
      callbacks: { url: receiver.url },
      hangMs: 5_000,
    }).start()
    gateway = new PostalGateway({
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      from: FROM,
      timeoutMs: TIMEOUT_MS,
      policy,
    })
    return async () => {
      await fake.stop()
      await receiver.stop()
    }
  })

  test('sends an email and returns the Message-ID Postal gave it', async ({ assert }) => {
    const message = email(POSTAL_MAGIC_RECIPIENTS.delivered, { replyTo: 'support@tenant.test' })

    const providerMessageId = accepted(await gateway.send(message))

    assert.match(providerMessageId, /^[0-9a-f-]{36}@rp\./)
    assert.equal(fake.sendsByMessageId.get(message.messageId), 1)

    const request = fake.received.at(-1)!
    assert.equal(request.path, '/api/v1/send/message')
    assert.equal(request.headers['x-server-api-key'], API_KEY)
    assert.deepEqual(JSON.parse(request.rawBody), {
      to: [message.to],
      from: FROM,
      subject: 'Your code',
      plain_body: '123456',
      html_body: '<p>123456</p>',
      reply_to: 'support@tenant.test',
      headers: { 'X-Switchboard-Message-Id': message.messageId },
      tag: message.messageId,
    })
  })

  test('Postal error {code} is a {errorClass} failure')
    .with([
      { code: 'InvalidServerAPIKey', errorClass: 'config' },
      { code: 'AccessDenied', errorClass: 'config' },
      { code: 'ServerSuspended', errorClass: 'config' },
      { code: 'NoRecipients', errorClass: 'permanent' },
      { code: 'NoContent', errorClass: 'permanent' },
      { code: 'TooManyToAddresses', errorClass: 'permanent' },
      { code: 'TooManyCCAddresses', errorClass: 'permanent' },
      { code: 'TooManyBCCAddresses', errorClass: 'permanent' },
      { code: 'FromAddressMissing', errorClass: 'permanent' },
      { code: 'UnauthenticatedFromAddress', errorClass: 'permanent' },
      { code: 'AttachmentMissingName', errorClass: 'permanent' },
      { code: 'AttachmentMissingData', errorClass: 'permanent' },
    ] satisfies Array<{ code: string; errorClass: GatewayErrorClass }>)
    .run(async ({ assert }, { code, errorClass }) => {
      const message = email(POSTAL_MAGIC_RECIPIENTS.error(code))

      const result = await gateway.send(message)

      assert.containSubset(result, { ok: false, errorClass, code })
      assert.isFalse(fake.sendsByMessageId.has(message.messageId))
    })

  test('a parameter-error is a permanent failure', async ({ assert }) => {
    const result = await gateway.send(email(POSTAL_MAGIC_RECIPIENTS.parameterError))

    assert.containSubset(result, { ok: false, errorClass: 'permanent', code: 'parameter-error' })
  })

  test('an email without a body is refused by Postal as NoContent', async ({ assert }) => {
    const message = email(POSTAL_MAGIC_RECIPIENTS.delivered, { html: null, text: null })

    const result = await gateway.send(message)

    assert.containSubset(result, { ok: false, errorClass: 'permanent', code: 'NoContent' })
    assert.isFalse(fake.sendsByMessageId.has(message.messageId))
  })

  test('a wrong API key is a config failure', async ({ assert }) => {
    const misconfigured = new PostalGateway({
      baseUrl: fake.baseUrl,
      apiKey: 'revoked-key',
      from: FROM,
      timeoutMs: TIMEOUT_MS,
      policy,
    })

    const result = await misconfigured.send(email(POSTAL_MAGIC_RECIPIENTS.delivered))

    assert.containSubset(result, { ok: false, errorClass: 'config', code: 'InvalidServerAPIKey' })
  })

  test('a reply after the timeout is a retry failure', async ({ assert }) => {
    const message = email(POSTAL_MAGIC_RECIPIENTS.timeout)
    const startedAt = Date.now()

    const result = await gateway.send(message)

    assert.containSubset(result, { ok: false, errorClass: 'retry', code: 'TIMEOUT' })
    assert.isBelow(Date.now() - startedAt, TIMEOUT_MS + 1_000)
    // Postal may still have taken it: why a retry after a timeout can duplicate.
    assert.equal(fake.sendsByMessageId.get(message.messageId), 1)
  })

  test('a non-200 reply is a retry failure', async ({ assert }) => {
    const result = await gateway.send(email(POSTAL_MAGIC_RECIPIENTS.fail500))

    assert.containSubset(result, { ok: false, errorClass: 'retry', code: 'HTTP_500' })
  })

  test('a reply that is not JSON is a retry failure', async ({ assert }) => {
    const result = await gateway.send(email(POSTAL_MAGIC_RECIPIENTS.notJson))

    assert.containSubset(result, { ok: false, errorClass: 'retry', code: 'INVALID_REPLY' })
  })

  test('an unreachable server is a retry failure', async ({ assert }) => {
    const unreachable = new PostalGateway({
      baseUrl: `http://127.0.0.1:${await freePort()}`,
      apiKey: API_KEY,
      from: FROM,
      timeoutMs: TIMEOUT_MS,
      policy,
    })

    const result = await unreachable.send(email(POSTAL_MAGIC_RECIPIENTS.delivered))

    assert.containSubset(result, { ok: false, errorClass: 'retry', code: 'NETWORK_ERROR' })
  })

  test('a message for another channel is refused without calling Postal', async ({ assert }) => {
    const requestsBefore = fake.received.length

    const result = await sendThrough(gateway, {
      channel: Channel.Sms,
      messageId: randomUUID(),
      tenantId: randomUUID(),
      messageType: 'test.message',
      to: '+15005550006',
      body: 'hello',
      encoding: 'GSM-7',
      segments: 1,
    })

    assert.containSubset(result, {
      ok: false,
      errorClass: 'permanent',
      code: 'UNSUPPORTED_CHANNEL',
    })
    assert.equal(fake.received.length, requestsBefore)
  })

  test('MessageSent is signed with the key in webhookPublicKey', async ({ assert }) => {
    const message = email(POSTAL_MAGIC_RECIPIENTS.delivered)
    const providerMessageId = accepted(await gateway.send(message))

    const [callback] = await receiver.waitFor(
      (received) => webhookOf(received).payload.message?.tag === message.messageId,
      1
    )
    const webhook = webhookOf(callback)
    assert.equal(webhook.event, 'MessageSent')
    assert.equal(webhook.payload.message.message_id, providerMessageId)

    const publicKey = createPublicKey({
      key: Buffer.from(fake.webhookPublicKey, 'base64'),
      format: 'der',
      type: 'spki',
    })
    const body = Buffer.from(callback.rawBody)
    const signature256 = Buffer.from(String(callback.headers['x-postal-signature-256']), 'base64')
    const signature1 = Buffer.from(String(callback.headers['x-postal-signature']), 'base64')
    assert.isTrue(verify('sha256', body, publicKey, signature256))
    assert.isTrue(verify('sha1', body, publicKey, signature1))
    assert.isFalse(verify('sha256', Buffer.from(`${callback.rawBody} `), publicKey, signature256))
  })

  test('bounce@ sends MessageSent, then MessageBounced for the same message', async ({
    assert,
  }) => {
    const message = email(POSTAL_MAGIC_RECIPIENTS.bounce)
    const providerMessageId = accepted(await gateway.send(message))

    const callbacks = await receiver.waitFor((received) => {
      const { payload } = webhookOf(received)
      return (payload.message ?? payload.original_message)?.tag === message.messageId
    }, 2)

    const [sent, bounced] = callbacks.map(webhookOf)
    assert.deepEqual([sent.event, bounced.event], ['MessageSent', 'MessageBounced'])
    assert.equal(bounced.payload.original_message.message_id, providerMessageId)
    assert.notEqual(sent.uuid, bounced.uuid)
  })
})
