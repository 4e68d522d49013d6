import { generateKeyPairSync, randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import { Channel } from '#enums/channel'
import { EgressPolicy, type EgressResolver } from '#messaging/egress/egress_policy'
import type { Gateway, GatewayCheck, OutboundMessage } from '#messaging/gateways/gateway'
import { FcmGateway } from '#messaging/gateways/fcm_gateway'
import { PostalGateway } from '#messaging/gateways/postal_gateway'
import { SesGateway } from '#messaging/gateways/ses_gateway'
import { TwilioGateway } from '#messaging/gateways/twilio_gateway'
import {
  INTERNAL_REPLIES,
  INTERNAL_SECRET,
  InternalService,
  type InternalReply,
} from '#tests/helpers/internal_service'
import { capturingOutput } from '#tests/helpers/output_capture'

const TIMEOUT_MS = 2_000

function email(): OutboundMessage {
  const messageId = randomUUID()
  return {
    channel: Channel.Email,
    messageId,
    tenantId: randomUUID(),
    to: 'someone@example.com',
    subject: 'Hello',
    html: null,
    text: 'Hello',
    replyTo: null,
    headers: {},
    tags: { switchboard_message_id: messageId },
  }
}

function sms(): OutboundMessage {
  return {
    channel: Channel.Sms,
    messageId: randomUUID(),
    tenantId: randomUUID(),
    to: '+15005550006',
    body: 'Hello',
    encoding: 'GSM-7',
    segments: 1,
  }
}

function push(): OutboundMessage {
  const messageId = randomUUID()
  return {
    channel: Channel.Push,
    messageId,
    tenantId: randomUUID(),
    token: 'device-token',
    title: 'Hello',
    body: null,
    data: { switchboardMessageId: messageId },
  }
}

/** Each SDK-backed gateway with its tenant-set address pointed at `url` */
const GATEWAYS = {
  postal: {
    build: (url: string, policy: EgressPolicy) =>
      new PostalGateway({
        baseUrl: url,
        apiKey: 'postal-key',
        from: 'sender@example.com',
        timeoutMs: TIMEOUT_MS,
        policy,
      }),
    message: email,
  },
  ses: {
    build: (url: string, policy: EgressPolicy) =>
      new SesGateway({
        region: 'us-east-1',
        accessKeyId: 'AKIAEGRESSTEST',
        secretAccessKey: 'ses-secret',
        endpoint: url,
        from: 'sender@example.com',
        timeoutMs: TIMEOUT_MS,
        policy,
      }),
    message: email,
  },
  twilio: {
    build: (url: string, policy: EgressPolicy) =>
      new TwilioGateway({
        accountSid: `AC${'0'.repeat(32)}`,
        authToken: 'twilio-token',
        from: '+15005550006',
        baseUrl: url,
        timeoutMs: TIMEOUT_MS,
        policy,
      }),
    message: sms,
  },
  fcm: {
    build: (url: string, policy: EgressPolicy) =>
      new FcmGateway({
        projectId: 'egress-test',
        serviceAccount: {},
        baseUrl: url,
        timeoutMs: TIMEOUT_MS,
        policy,
      }),
    message: push,
  },
} satisfies Record<
  string,
  { build: (url: string, policy: EgressPolicy) => Gateway; message: () => OutboundMessage }
>

type GatewayName = keyof typeof GATEWAYS

/** A send and a connection test through one gateway, with what was written to the console meanwhile */
async function sendAndCheck(name: GatewayName, url: string, policy: EgressPolicy) {
  const gateway = GATEWAYS[name].build(url, policy)
  try {
    const { result, output } = await capturingOutput(async () => {
      const sent = await gateway.send(GATEWAYS[name].message())
      const checked: GatewayCheck = await gateway.check()
      return { sent, checked }
    })
    return { ...result, output }
  } finally {
    await gateway.close()
  }
}

const NAMES = Object.keys(GATEWAYS) as GatewayName[]

test.group('Gateways and the egress policy: an internal service a tenant points at', (group) => {
  const internal = new InternalService()

  group.setup(async () => {
    await internal.start()
    return () => internal.stop()
  })
  group.each.setup(() => {
    internal.requests = 0
    internal.reply = INTERNAL_REPLIES.html502
  })

  test('{name} at {host}, no internal range allowed: refused before any request')
    .with(NAMES.flatMap((name) => ['127.0.0.1', 'localhost'].map((host) => ({ name, host }))))
    .run(async ({ assert }, { name, host }) => {
      const { sent, checked, output } = await sendAndCheck(
        name,
        `http://${host}:${internal.port}`,
        new EgressPolicy([])
      )

      assert.containSubset(sent, { ok: false, errorClass: 'config', code: 'EGRESS_REFUSED' })
      assert.match(sent.ok ? '' : sent.message, /^refused by the egress policy: .*loopback/)
      assert.isFalse(checked.ok)
      assert.match(checked.detail, /^EGRESS_REFUSED: refused by the egress policy/)
      assert.equal(internal.requests, 0)
      for (const shown of [JSON.stringify(sent), checked.detail, output]) {
        assert.notInclude(shown, INTERNAL_SECRET)
      }
    })

  test('{name}, the operator allows loopback, the service answers {reply}: status, never the body')
    .with(
      NAMES.flatMap((name) =>
        (Object.keys(INTERNAL_REPLIES) as Array<keyof typeof INTERNAL_REPLIES>).map((reply) => ({
          name,
          reply,
        }))
      )
    )
    .run(async ({ assert }, { name, reply }) => {
      internal.reply = INTERNAL_REPLIES[reply] as InternalReply

      const { sent, checked, output } = await sendAndCheck(
        name,
        internal.url,
        new EgressPolicy(['127.0.0.0/8'])
      )

      assert.isAbove(internal.requests, 0)
      assert.isFalse(sent.ok)
      assert.isFalse(checked.ok)
      for (const shown of [JSON.stringify(sent), checked.detail, output]) {
        assert.notInclude(shown, INTERNAL_SECRET)
      }
      if (reply === 'html502' && !sent.ok) {
        assert.equal(sent.errorClass, 'retry')
        assert.include(`${sent.code} ${sent.message}`, '502')
        assert.include(checked.detail, '502')
      }
    })
})

test.group('Gateways and the egress policy: the SDKs own connections', () => {
  test('an FCM retry on a rebound name is refused: the SDK reconnects through the policy', async ({
    assert,
  }) => {
    // The first answer is an allowed address that says 503 and closes; the SDK's
    // retry opens a new connection, and the name now resolves to loopback
    const allowed = await new InternalService(
      { status: 503, contentType: 'text/plain', body: 'busy' },
      true
    ).start('127.0.0.2')
    const internal = await new InternalService().start('127.0.0.1', allowed.port)
    const answers = [['127.0.0.2'], ['127.0.0.1']]
    const asked: string[] = []
    const resolver: EgressResolver = async (hostname) => {
      asked.push(hostname)
      const addresses = answers[Math.min(asked.length, answers.length) - 1]
      return addresses.map((address) => ({ address, family: 4 }))
    }
    try {
      const gateway = GATEWAYS.fcm.build(
        `http://fcm.rebinding.test:${allowed.port}`,
        new EgressPolicy(['127.0.0.2/32'], resolver)
      )

      const result = await gateway.send(push())
      await gateway.close()

      assert.containSubset(result, { ok: false, errorClass: 'config', code: 'EGRESS_REFUSED' })
      assert.equal(allowed.requests, 1)
      assert.equal(internal.requests, 0)
      assert.deepEqual(asked, ['fcm.rebinding.test', 'fcm.rebinding.test'])
    } finally {
      await Promise.all([allowed.stop(), internal.stop()])
    }
  })

  test('the FCM token comes from Google through the policy, never from a server the key file names', async ({
    assert,
  }) => {
    const internal = await new InternalService().start()
    const asked: string[] = []
    const resolver: EgressResolver = async (hostname) => {
      asked.push(hostname)
      return [{ address: '127.0.0.1', family: 4 }]
    }
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    // google-auth-library, given this key file, fetches its "subject token" from credential_source
    const tokenServerUrl = `${internal.url}/token`
    const gateway = new FcmGateway({
      projectId: 'egress-test',
      serviceAccount: {
        type: 'external_account',
        project_id: 'egress-test',
        client_email: 'fcm@egress-test.iam.gserviceaccount.com',
        private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        audience: 'egress-test',
        subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
        token_url: tokenServerUrl,
        token_uri: tokenServerUrl,
        credential_source: { url: tokenServerUrl },
      },
      timeoutMs: TIMEOUT_MS,
      policy: new EgressPolicy([], resolver),
    })
    try {
      const { result, output } = await capturingOutput(() => gateway.send(push()))

      assert.containSubset(result, {
        ok: false,
        errorClass: 'config',
        code: 'app/invalid-credential',
      })
      assert.include(result.ok ? '' : result.message, 'refused by the egress policy')
      assert.deepEqual(asked, ['oauth2.googleapis.com'])
      assert.equal(internal.requests, 0)
      assert.notInclude(JSON.stringify(result) + output, INTERNAL_SECRET)
    } finally {
      await gateway.close()
      await internal.stop()
    }
  })
})
