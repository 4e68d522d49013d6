import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test } from '@japa/runner'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { SesFakeServer } from '#messaging/vendors/ses/fake'
import { TwilioFakeServer } from '#messaging/vendors/twilio/fake'
import { FcmFakeServer } from '#messaging/vendors/fcm/fake'
import type { FakeProviderServer } from '#messaging/vendors/fakes/fake_provider_server'
import { createProvider } from '#tests/helpers/providers'
import { createTenant } from '#tests/helpers/tenants'

const POSTAL_KEY = 'postal-test-key-1111'
const SES_KEY_ID = 'AKIACONNECTIONTEST'
const SES_SECRET = 'ses-test-secret-2222'
const TWILIO_SID = `AC${'c0ffee00'.repeat(4)}`
const TWILIO_TOKEN = 'twilio-test-token-3333'
const FCM_PROJECT = 'connection-test'

/** A port nothing listens on: connecting to it is refused */
async function closedPortUrl() {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}`
}

test.group('POST /api/v1/providers/:id/test, against the fake providers', (group) => {
  const postal = new PostalFakeServer({ apiKey: POSTAL_KEY })
  const ses = new SesFakeServer({ accessKeyId: SES_KEY_ID })
  const twilio = new TwilioFakeServer({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN })
  const fcm = new FcmFakeServer({ projectId: FCM_PROJECT })
  const fakes: FakeProviderServer[] = [postal, ses, twilio, fcm]

  group.setup(async () => {
    await Promise.all(fakes.map((fake) => fake.start(0)))
    return async () => {
      await Promise.all(fakes.map((fake) => fake.stop()))
    }
  })

  const providers = {
    postal: (apiKey = POSTAL_KEY, baseUrl = postal.baseUrl) => ({
      type: 'postal',
      channel: 'email',
      name: 'Postal',
      config: { baseUrl, apiKey, from: 'sender@example.com' },
    }),
    ses: (accessKeyId = SES_KEY_ID) => ({
      type: 'ses',
      channel: 'email',
      name: 'SES',
      config: {
        region: 'us-east-1',
        accessKeyId,
        secretAccessKey: SES_SECRET,
        endpoint: ses.baseUrl,
        from: 'sender@example.com',
      },
    }),
    twilio: (authToken = TWILIO_TOKEN) => ({
      type: 'twilio',
      channel: 'sms',
      name: 'Twilio',
      config: { accountSid: TWILIO_SID, authToken, from: '+15005550006', baseUrl: twilio.baseUrl },
    }),
    fcm: (projectId = FCM_PROJECT) => ({
      type: 'fcm',
      channel: 'push',
      name: 'FCM',
      config: {
        projectId,
        serviceAccount: {
          project_id: projectId,
          client_email: 'fcm@connection-test.iam.test',
          private_key: 'unused with a baseUrl',
        },
        baseUrl: fcm.baseUrl,
      },
    }),
  }

  test('{name}: ok {ok}, "{detail}"')
    .with([
      { name: 'postal', body: () => providers.postal(), ok: true, detail: 'NoRecipients' },
      {
        name: 'postal with a wrong key',
        body: () => providers.postal('wrong-postal-key'),
        ok: false,
        detail: 'InvalidServerAPIKey',
      },
      { name: 'ses', body: () => providers.ses(), ok: true, detail: 'sending enabled' },
      {
        name: 'ses with an unknown access key',
        body: () => providers.ses('AKIAUNKNOWN'),
        ok: false,
        detail: 'UnrecognizedClientException',
      },
      { name: 'twilio', body: () => providers.twilio(), ok: true, detail: 'is active' },
      {
        name: 'twilio with a wrong token',
        body: () => providers.twilio('wrong-twilio-token'),
        ok: false,
        detail: 'TWILIO_20003',
      },
      { name: 'fcm', body: () => providers.fcm(), ok: true, detail: 'dry-run' },
      {
        name: 'fcm for another project',
        body: () => providers.fcm('someone-elses-project'),
        ok: false,
        detail: 'messaging/mismatched-credential',
      },
      {
        name: 'webhook',
        body: () => ({
          type: 'webhook',
          channel: 'webhook',
          name: 'Hooks',
          config: { secret: 'webhook-signing-secret-4444' },
        }),
        ok: true,
        detail: 'nothing to check',
      },
      {
        name: 'log',
        body: () => ({ type: 'log', channel: 'email', name: 'Logs', config: {} }),
        ok: true,
        detail: 'log',
      },
    ])
    .run(async ({ client, assert }, { body, ok, detail }) => {
      const { headers } = await createTenant()
      const created = await client.post('/api/v1/providers').headers(headers).json(body())
      created.assertStatus(201)

      const response = await client
        .post(`/api/v1/providers/${created.body().id}/test`)
        .headers(headers)

      response.assertStatus(200)
      assert.equal(response.body().ok, ok)
      assert.include(response.body().detail, detail)
      for (const secret of [POSTAL_KEY, SES_SECRET, TWILIO_TOKEN]) {
        assert.notInclude(response.text(), secret)
      }
    })

  test('a check sends no message through any fake', async ({ client, assert }) => {
    const { headers } = await createTenant()
    for (const body of [providers.postal(), providers.ses(), providers.twilio(), providers.fcm()]) {
      const id = await createProvider(client, headers, body)
      const response = await client.post(`/api/v1/providers/${id}/test`).headers(headers)
      assert.isTrue(response.body().ok)
    }

    for (const fake of fakes) assert.equal(fake.sendsByMessageId.size, 0)
    const postalSend = postal.received.at(-1)!
    assert.deepEqual(JSON.parse(postalSend.rawBody).to, [])
    assert.isTrue(JSON.parse(fcm.received.at(-1)!.rawBody).validate_only)
  })

  test('an unreachable provider: ok false with a network error', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const body = providers.postal(POSTAL_KEY, await closedPortUrl())
    const id = await createProvider(client, headers, body)

    const response = await client.post(`/api/v1/providers/${id}/test`).headers(headers)

    response.assertStatus(200)
    assert.isFalse(response.body().ok)
    assert.match(response.body().detail, /^NETWORK_ERROR: /)
  })
})
