import { generateKeyPairSync } from 'node:crypto'
import { test } from '@japa/runner'
import { EgressPolicy, type EgressResolver } from '#messaging/egress/egress_policy'
import { FcmGateway } from '#messaging/vendors/fcm/gateway'
import type { GatewayCheck } from '#messaging/channels/gateway'
import { sendThrough } from '#messaging/channels/send_through'
import {
  ADDRESSED_PROVIDER_TYPES,
  gatewayAt,
  messageFor,
  type AddressedProviderType,
} from '#tests/helpers/egress'
import {
  INTERNAL_REPLIES,
  INTERNAL_SECRET,
  InternalService,
  withInternalService,
  type InternalReply,
} from '#tests/helpers/internal_service'
import { capturingOutput } from '#tests/helpers/output_capture'

const TIMEOUT_MS = 2_000

/** A send and a connection test through one gateway, with what was written to the console meanwhile */
async function sendAndCheck(name: AddressedProviderType, url: string, policy: EgressPolicy) {
  const gateway = gatewayAt(name, url, policy, TIMEOUT_MS)
  try {
    const { result, output } = await capturingOutput(async () => {
      const sent = await sendThrough(gateway, messageFor(name))
      const checked: GatewayCheck = await gateway.check()
      return { sent, checked }
    })
    return { ...result, output }
  } finally {
    await gateway.close()
  }
}

test.group('Gateways and the egress policy: an internal service a tenant points at', (group) => {
  const internal = withInternalService(group)

  test('{name} at {host}, no internal range allowed: refused before any request')
    .with(
      ADDRESSED_PROVIDER_TYPES.flatMap((name) =>
        ['127.0.0.1', 'localhost'].map((host) => ({ name, host }))
      )
    )
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
      ADDRESSED_PROVIDER_TYPES.flatMap((name) =>
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
  test('an FCM reconnect to a rebound name is refused: each new connection goes through the policy', async ({
    assert,
  }) => {
    // The first answer is an allowed address that says 503 and closes; the next
    // send opens a new connection, and the name now resolves to loopback
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
      const gateway = gatewayAt(
        'fcm',
        `http://fcm.rebinding.test:${allowed.port}`,
        new EgressPolicy(['127.0.0.2/32'], resolver)
      )

      const first = await sendThrough(gateway, messageFor('fcm'))
      const second = await sendThrough(gateway, messageFor('fcm'))
      await gateway.close()

      assert.containSubset(first, {
        ok: false,
        errorClass: 'retry',
        message: 'HTTP 503 from the provider (unexpected response)',
      })
      assert.containSubset(second, { ok: false, errorClass: 'config', code: 'EGRESS_REFUSED' })
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
      const { result, output } = await capturingOutput(() =>
        sendThrough(gateway, messageFor('fcm'))
      )

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
