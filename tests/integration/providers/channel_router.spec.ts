import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { Priority } from '#enums/priority'
import ProviderConfig from '#models/provider_config'
import { Gateway } from '#messaging/channels/gateway'
import { GatewayFactory } from '#messaging/vendors/gateway_factory'
import { PostalGateway } from '#messaging/vendors/postal/gateway'
import { SesGateway } from '#messaging/vendors/ses/gateway'
import { outboundMessageFrom } from '#messaging/channels/outbound_message'
import { sendThrough } from '#messaging/channels/send_through'
import type { ClaimedMessage } from '#messaging/outbox/message_store'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { maskFor } from '#messaging/accounts/provider_types'
import { ChannelRouter } from '#messaging/routing/channel_router'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { TwilioFakeServer } from '#messaging/vendors/twilio/fake'
import { createTenant } from '#tests/helpers/tenants'
import { emptyQueues } from '#tests/helpers/queues'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const POSTAL_KEY = 'router-postal-key'
const TWILIO_SID = `AC${'feed0000'.repeat(4)}`
const TWILIO_TOKEN = 'router-twilio-token'

const credentialsFor = {
  postal: (baseUrl = 'http://127.0.0.1:9') => ({
    baseUrl,
    apiKey: POSTAL_KEY,
    from: 'router@example.com',
  }),
  ses: () => ({
    region: 'us-east-1',
    accessKeyId: 'AKIAROUTER',
    secretAccessKey: 'router-ses-secret',
    endpoint: 'http://127.0.0.1:9',
    from: 'router@example.com',
  }),
  twilio: (baseUrl?: string) => ({
    accountSid: TWILIO_SID,
    authToken: TWILIO_TOKEN,
    from: '+15005550006',
    baseUrl,
  }),
}

interface NewConfig {
  tenantId: string | null
  type: GatewayType
  channel: Channel
  priority: number
  credentials: Record<string, unknown>
  enabled?: boolean
}

/** Stored as the API stores them, including configs the API would refuse */
async function createConfig(config: NewConfig) {
  const accounts = await app.container.make(ProviderAccounts)
  return ProviderConfig.create({
    ...accounts.sealNew(config.tenantId, config.credentials),
    type: config.type,
    channel: config.channel,
    name: `${config.type} ${config.priority}`,
    priority: config.priority,
    enabled: config.enabled ?? true,
    mask: maskFor(config.type, config.credentials),
    metadata: {},
  })
}

function claimed(
  tenantId: string,
  channel: Channel,
  recipient = 'ada@example.com'
): ClaimedMessage {
  return {
    id: randomUUID(),
    tenant_id: tenantId,
    channel,
    priority: Priority.P4,
    recipient,
    recipient_domain: null,
    subject: 'Hello',
    content: { text: 'Hello' },
    metadata: {},
    message_type: 'transactional',
    fallback: null,
    attempts: 1,
    suppressed: false,
    is_test: false,
    lease_token: randomUUID(),
  }
}

test.group('Channel router: provider configs by priority', (group) => {
  let systemDefault: ProviderConfig

  group.setup(async () => {
    // System defaults serve every tenant: those other tests left enabled sit this group out
    const others = await db
      .from('provider_configs')
      .whereNull('tenant_id')
      .where('enabled', true)
      .update({ enabled: false }, ['id'])
    systemDefault = await createConfig({
      tenantId: null,
      type: GatewayType.Postal,
      channel: Channel.Email,
      priority: 0,
      credentials: credentialsFor.postal(),
    })
    return async () => {
      await systemDefault.delete()
      await db
        .from('provider_configs')
        .whereIn(
          'id',
          others.map((row: { id: string }) => row.id)
        )
        .update({ enabled: true })
    }
  })

  test("the tenant's own providers by priority, then the system defaults", async ({ assert }) => {
    const { tenant } = await createTenant()
    const other = await createTenant()
    const second = await createConfig({
      tenantId: tenant.id,
      type: GatewayType.Ses,
      channel: Channel.Email,
      priority: 5,
      credentials: credentialsFor.ses(),
    })
    const first = await createConfig({
      tenantId: tenant.id,
      type: GatewayType.Postal,
      channel: Channel.Email,
      priority: 1,
      credentials: credentialsFor.postal(),
    })
    await createConfig({
      tenantId: tenant.id,
      type: GatewayType.Postal,
      channel: Channel.Email,
      priority: 0,
      enabled: false,
      credentials: credentialsFor.postal(),
    })
    await createConfig({
      tenantId: other.tenant.id,
      type: GatewayType.Postal,
      channel: Channel.Email,
      priority: 0,
      credentials: credentialsFor.postal(),
    })
    await createConfig({
      tenantId: tenant.id,
      type: GatewayType.Twilio,
      channel: Channel.Sms,
      priority: 0,
      credentials: credentialsFor.twilio(),
    })
    const router = await app.container.make(ChannelRouter)

    const { candidates } = await router.route(claimed(tenant.id, Channel.Email))

    assert.deepEqual(
      candidates.map(({ key, providerConfigId }) => ({ key, providerConfigId })),
      [
        { key: `postal:${first.id}`, providerConfigId: first.id },
        { key: `ses:${second.id}`, providerConfigId: second.id },
        { key: `postal:${systemDefault.id}`, providerConfigId: systemDefault.id },
      ]
    )
    assert.instanceOf(candidates[0].gateway, PostalGateway)
    assert.instanceOf(candidates[1].gateway, SesGateway)
  })

  test('a tenant with no provider of its own gets the system defaults', async ({ assert }) => {
    const { tenant } = await createTenant()
    const router = await app.container.make(ChannelRouter)

    const { candidates } = await router.route(claimed(tenant.id, Channel.Email))

    assert.deepEqual(
      candidates.map((candidate) => candidate.key),
      [`postal:${systemDefault.id}`]
    )
  })

  test('no provider at all for the channel: the default log gateway', async ({ assert }) => {
    const { tenant } = await createTenant()
    const router = await app.container.make(ChannelRouter)

    const { candidates } = await router.route(claimed(tenant.id, Channel.Push))

    assert.lengthOf(candidates, 1)
    assert.equal(candidates[0].key, 'log')
    assert.isNull(candidates[0].providerConfigId)
    assert.strictEqual(candidates[0].gateway, await app.container.make(Gateway))
  })

  test('a config that cannot make a gateway is skipped, never replaced by the log', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    // Neither from nor messagingServiceSid: the Twilio gateway refuses to be built
    const broken = { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN }
    await createConfig({
      tenantId: tenant.id,
      type: GatewayType.Twilio,
      channel: Channel.Sms,
      priority: 0,
      credentials: broken,
    })
    const router = await app.container.make(ChannelRouter)
    const plan = await router.route(claimed(tenant.id, Channel.Sms))
    assert.deepEqual(plan.candidates, [])

    const { tenant: mixed } = await createTenant()
    await createConfig({
      tenantId: mixed.id,
      type: GatewayType.Twilio,
      channel: Channel.Sms,
      priority: 0,
      credentials: broken,
    })
    const working = await createConfig({
      tenantId: mixed.id,
      type: GatewayType.Twilio,
      channel: Channel.Sms,
      priority: 1,
      credentials: credentialsFor.twilio(),
    })
    const { candidates } = await router.route(claimed(mixed.id, Channel.Sms))
    assert.deepEqual(
      candidates.map((candidate) => candidate.key),
      [`twilio:${working.id}`]
    )
  })

  test('a gateway is built once per config version', async ({ assert }) => {
    const { tenant } = await createTenant()
    const config = await createConfig({
      tenantId: tenant.id,
      type: GatewayType.Postal,
      channel: Channel.Email,
      priority: 0,
      credentials: credentialsFor.postal(),
    })
    const accounts = await app.container.make(ProviderAccounts)
    const factory = await app.container.make(GatewayFactory)
    const router = await app.container.make(ChannelRouter)

    const {
      candidates: [routed],
    } = await router.route(claimed(tenant.id, Channel.Email))
    const again = factory.forAccount((await accounts.find(config.id))!)
    assert.strictEqual(again, routed.gateway)

    config.name = 'Renamed'
    await config.save()
    const rebuilt = factory.forAccount((await accounts.find(config.id))!)
    assert.notStrictEqual(rebuilt, routed.gateway)
    assert.strictEqual(factory.forAccount((await accounts.find(config.id))!), rebuilt)
  })
})

test.group('Channel router: the gateways it builds', (group) => {
  const twilio = new TwilioFakeServer({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN })
  const postal = new PostalFakeServer({ apiKey: POSTAL_KEY })

  group.setup(async () => {
    await Promise.all([twilio.start(0), postal.start(0)])
    return async () => {
      await Promise.all([twilio.stop(), postal.stop()])
    }
  })

  test("Twilio's status callback is our webhook URL for that config", async ({ assert }) => {
    const { tenant } = await createTenant()
    const config = await createConfig({
      tenantId: tenant.id,
      type: GatewayType.Twilio,
      channel: Channel.Sms,
      priority: 0,
      credentials: credentialsFor.twilio(twilio.baseUrl),
    })
    const router = await app.container.make(ChannelRouter)
    const message = claimed(tenant.id, Channel.Sms, '+15005550006')

    const {
      candidates: [candidate],
    } = await router.route(message)
    const result = await sendThrough(candidate.gateway, outboundMessageFrom(message))

    assert.isTrue(result.ok)
    const form = new URLSearchParams(twilio.received.at(-1)!.rawBody)
    const callback = new URL(form.get('StatusCallback')!)
    assert.equal(
      `${callback.origin}${callback.pathname}`,
      `${app.config.get('app.appUrl')}/api/webhooks/communication/twilio/${config.id}`
    )
    assert.equal(callback.searchParams.get('switchboardMessageId'), message.id)
  })

  test("a worker sends through the tenant's provider and records which one", async ({
    client,
    assert,
  }) => {
    await emptyQueues()
    const worker = await WorkerProcess.start('P4')
    try {
      const { tenant, headers } = await createTenant()
      const config = await createConfig({
        tenantId: tenant.id,
        type: GatewayType.Postal,
        channel: Channel.Email,
        priority: 0,
        credentials: credentialsFor.postal(postal.baseUrl),
      })

      const created = await client
        .post('/api/v1/messages')
        .headers(headers)
        .json({
          channel: 'email',
          recipient: 'ada@example.com',
          subject: 'Hi',
          content: { text: 'Hello' },
        })
      const id = created.body().id

      const row = await waitUntil('the message to be sent', async () => {
        const message = await db.from('messages').where('id', id).first()
        return message?.status === 'sent' ? message : null
      })
      assert.equal(row.gateway, `postal:${config.id}`)
      assert.equal(row.provider_config_id, config.id)
      assert.equal(postal.sendsByMessageId.get(id), 1)
    } finally {
      await worker.stop()
    }
  })
})
