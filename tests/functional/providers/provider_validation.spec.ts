import { generateKeyPairSync } from 'node:crypto'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { GatewayType } from '#enums/gateway_type'
import { vendorOf } from '#messaging/vendors/index'
import { withPublicDns } from '#tests/helpers/egress'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'

const SECRET = 'validation-secret-never-echoed-0000'
const TWILIO_SID = `AC${'0123456789abcdef'.repeat(2)}`
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString()

const valid = {
  postal: {
    type: 'postal',
    channel: 'email',
    name: 'Postal',
    config: { baseUrl: 'http://127.0.0.1:4101', apiKey: SECRET, from: 'a@example.com' },
  },
  ses: {
    type: 'ses',
    channel: 'email',
    name: 'SES',
    config: {
      region: 'eu-west-1',
      accessKeyId: 'AKIAEXAMPLE',
      secretAccessKey: SECRET,
      from: 'a@example.com',
      configurationSet: 'events',
      snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:ses-events',
    },
  },
  twilio: {
    type: 'twilio',
    channel: 'sms',
    name: 'Twilio',
    config: {
      accountSid: TWILIO_SID,
      authToken: SECRET,
      messagingServiceSid: `MG${'a'.repeat(32)}`,
    },
  },
  fcm: {
    type: 'fcm',
    channel: 'push',
    name: 'FCM',
    config: {
      projectId: 'my-app',
      serviceAccount: {
        type: 'service_account',
        project_id: 'my-app',
        client_email: 'fcm@my-app.iam.gserviceaccount.com',
        private_key: privateKey,
      },
    },
  },
  webhook: {
    type: 'webhook',
    channel: 'webhook',
    name: 'Webhooks',
    config: { secret: SECRET, url: 'https://hooks.example.com/in' },
  },
  log: { type: 'log', channel: 'push', name: 'Logs', config: {} },
}

async function providerCount(tenant: TestTenant) {
  const row = await db
    .from('provider_configs')
    .where('tenant_id', tenant.tenant.id)
    .count('* as count')
    .first()
  return Number(row.count)
}

test.group('Provider configs: validation', (group) => {
  // postal.example.com and its like resolve to a public address, without the network
  withPublicDns(group)

  test('a valid {type} provider is accepted with its secret masked')
    .with(Object.entries(valid).map(([type, body]) => ({ type, body })))
    .run(async ({ client, assert }, { body }) => {
      const { headers } = await createTenant()
      const response = await client.post('/api/v1/providers').headers(headers).json(body)

      response.assertStatus(201)
      assert.notInclude(response.text(), SECRET)
      assert.notInclude(response.text(), 'PRIVATE KEY')
      assert.equal(response.body().priority, 0)
      assert.isTrue(response.body().enabled)
    })

  test('{name} → 422 naming {fields}')
    .with([
      { name: 'an empty body', body: {}, fields: ['type', 'channel', 'name'] },
      { name: 'an unknown type', body: { ...valid.log, type: 'pigeon' }, fields: ['type'] },
      {
        name: 'a type named __proto__',
        body: { ...valid.log, type: '__proto__' },
        fields: ['type'],
      },
      {
        name: 'postal with a bad URL and no key',
        body: { ...valid.postal, config: { baseUrl: 'postal', from: 'a@example.com' } },
        fields: ['config.baseUrl', 'config.apiKey'],
      },
      {
        name: 'ses with a malformed region',
        body: { ...valid.ses, config: { ...valid.ses.config, region: 'Europe' } },
        fields: ['config.region'],
      },
      {
        name: 'twilio with neither from nor messagingServiceSid',
        body: { ...valid.twilio, config: { accountSid: 'XX1', authToken: SECRET } },
        fields: ['config.accountSid', 'config.from'],
      },
      {
        name: 'fcm without a private key',
        body: {
          ...valid.fcm,
          config: { projectId: 'p', serviceAccount: { project_id: 'p', client_email: 'x@p.test' } },
        },
        fields: ['config.serviceAccount.private_key'],
      },
      {
        name: 'webhook with a short secret',
        body: { ...valid.webhook, config: { secret: 'short' } },
        fields: ['config.secret'],
      },
      {
        name: 'a negative tps',
        body: { ...valid.log, metadata: { tps: -5 } },
        fields: ['metadata.tps'],
      },
      {
        name: 'a tps that is not a number',
        body: { ...valid.log, metadata: { tps: 'fast' } },
        fields: ['metadata.tps'],
      },
      {
        name: 'a fractional priority',
        body: { ...valid.log, priority: 1.5 },
        fields: ['priority'],
      },
    ])
    .run(async ({ client, assert }, { body, fields }) => {
      const tenant = await createTenant()
      const response = await client.post('/api/v1/providers').headers(tenant.headers).json(body)

      response.assertStatus(422)
      assert.notInclude(response.text(), SECRET)
      const reported = response.body().errors.map((error: { field: string }) => error.field)
      assert.sameMembers(reported, fields)
      for (const error of response.body().errors) assert.equal(error.code, 'E_VALIDATION')
      assert.equal(await providerCount(tenant), 0)
    })

  test('a {type} provider on the {channel} channel → 422 on channel')
    .with([
      { type: GatewayType.Postal, channel: 'sms' },
      { type: GatewayType.Ses, channel: 'push' },
      { type: GatewayType.Twilio, channel: 'email' },
      { type: GatewayType.Fcm, channel: 'webhook' },
      { type: GatewayType.Webhook, channel: 'email' },
    ])
    .run(async ({ client, assert }, { type, channel }) => {
      const tenant = await createTenant()
      const body = { ...valid[type], channel }
      const response = await client.post('/api/v1/providers').headers(tenant.headers).json(body)

      response.assertStatus(422)
      const [error, ...others] = response.body().errors
      assert.lengthOf(others, 0)
      assert.containsSubset(error, {
        code: 'E_VALIDATION',
        field: 'channel',
        rule: 'channelOfType',
      })
      assert.equal(
        error.message,
        `The ${type} provider type carries ${vendorOf(type).channels}, not ${channel}`
      )
      assert.equal(await providerCount(tenant), 0)
    })
})
