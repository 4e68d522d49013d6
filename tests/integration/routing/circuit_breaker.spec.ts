import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import redis from '@adonisjs/redis/services/main'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import ProviderConfig from '#models/provider_config'
import { ChannelFallback } from '#messaging/delivery/channel_fallback'
import { MessageDispatcher } from '#messaging/delivery/message_dispatcher'
import { RetryPolicy } from '#messaging/delivery/retry_policy'
import { Gateway } from '#messaging/channels/gateway'
import { GatewayFactory } from '#messaging/vendors/gateway_factory'
import { MessageStore } from '#messaging/outbox/message_store'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { maskFor } from '#messaging/accounts/provider_types'
import { ChannelRouter } from '#messaging/routing/channel_router'
import { GatewayHealth, type HealthSettings } from '#messaging/routing/gateway_health'
import { RateLimiter } from '#messaging/routing/rate_limiter'
import { TenantSettingsCache } from '#messaging/tenants/tenant_settings_cache'
import { SuppressionList } from '#messaging/suppression/suppression_list'
import { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { FlakyGatewayFront } from '#tests/helpers/flaky_gateway_front'
import { messageWithEvents } from '#tests/helpers/sandbox'
import { createTenant } from '#tests/helpers/tenants'
import { waitUntil } from '#tests/helpers/wait'

const API_KEY = 'circuit-postal-key'

/**
 * The circuit settings of this file: three failures in a row open a circuit;
 * the cool-down is the test's to choose (0: a probe is due at once, and a
 * probe that has not answered is replaced at once too).
 */
function healthWith(cooldownSeconds: number) {
  const settings = app.config.get<HealthSettings>('messaging.health')
  return new GatewayHealth(redis.connection(), {
    ...settings,
    failureThreshold: 3,
    cooldownSeconds,
  })
}

async function openCircuit(health: GatewayHealth, key: string) {
  for (let failure = 0; failure < 3; failure++) await health.record(key, false, 20)
  return health.snapshot(key)
}

/** A dispatcher like a worker's, whose router judges health by `health` */
async function dispatcherWith(health: GatewayHealth) {
  const make = app.container.make.bind(app.container)
  const logger = await make('logger')
  const router = new ChannelRouter(
    await make(ProviderAccounts),
    await make(GatewayFactory),
    await make(Gateway),
    health,
    logger
  )
  const { leaseSeconds, maxAttempts } = app.config.get<{
    leaseSeconds: number
    maxAttempts: number
  }>('messaging')
  return new MessageDispatcher(
    await make(MessageStore),
    router,
    await make(RateLimiter),
    await make(TenantSettingsCache),
    await make(RetryPolicy),
    await make(SuppressionList),
    await make(ChannelFallback),
    logger,
    { leaseSeconds, maxAttempts }
  )
}

/** A tenant's Postal account at `baseUrl`; its gateway key. */
async function postalAccount(tenantId: string, priority: number, baseUrl: string) {
  const accounts = await app.container.make(ProviderAccounts)
  const credentials = { baseUrl, apiKey: API_KEY, from: 'circuit@example.com' }
  const config = await ProviderConfig.create({
    ...accounts.sealNew(tenantId, credentials),
    type: GatewayType.Postal,
    channel: Channel.Email,
    name: `Postal ${priority}`,
    priority,
    enabled: true,
    mask: maskFor(GatewayType.Postal, credentials),
    metadata: {},
  })
  return `postal:${config.id}`
}

/** A fresh tenant with a Postal account at each URL, in priority order: their gateway keys. */
async function tenantWithPostalAccounts(...baseUrls: string[]) {
  const { tenant, headers } = await createTenant()
  const keys: string[] = []
  for (const [priority, baseUrl] of baseUrls.entries()) {
    keys.push(await postalAccount(tenant.id, priority, baseUrl))
  }
  return { headers, keys }
}

/** A dispatcher whose health has `key`'s circuit open, with the cool-down given. */
async function dispatcherWithOpenCircuit(cooldownSeconds: number, key: string) {
  const health = healthWith(cooldownSeconds)
  const opened = await openCircuit(health, key)
  const dispatcher = await dispatcherWith(health)
  return { health, opened, dispatcher }
}

/** Accepted through the API (its queue job is left for no worker): the message id */
async function queueEmail(client: ApiClient, headers: Record<string, string>, label: string) {
  const response = await client
    .post('/api/v1/messages')
    .headers(headers)
    .json({
      channel: 'email',
      recipient: `ada+${label}@example.com`,
      subject: 'Hello',
      content: { text: 'Hello' },
    })
  response.assertStatus(201)
  return response.body().id as string
}

async function circuitOf(health: GatewayHealth, key: string) {
  const { state } = await health.snapshot(key)
  return state
}

async function gatewayOf(messageId: string) {
  const { message } = await messageWithEvents(messageId)
  return message.gateway as string
}

async function dispatch(dispatcher: MessageDispatcher, messageId: string) {
  const { kind } = await dispatcher.dispatch(messageId)
  return kind
}

function sentEventOf({ events }: Awaited<ReturnType<typeof messageWithEvents>>) {
  return events.find((event) => event.type === 'sent')!
}

test.group('Circuit breaker: only the probe’s own outcome moves an open circuit', () => {
  test('successes that are not the probe’s, and a stray token, leave an open or half-open circuit as it is', async ({
    assert,
  }) => {
    const cooling = healthWith(600)
    const due = healthWith(0)
    const key = `postal:${randomUUID()}`
    await openCircuit(cooling, key)
    assert.equal(await circuitOf(cooling, key), 'open')

    // A send that began before the circuit opened answers now
    assert.equal(await cooling.record(key, true, 20), 'open')
    assert.deepEqual(await cooling.admit(key), { admitted: false, state: 'open' })

    // Past the cool-down one caller becomes the probe; while it is out, no one else gets in
    const probe = await due.admit(key)
    assert.isTrue(probe.admitted)
    const token = probe.admitted ? probe.probe : null
    assert.isString(token)
    assert.deepEqual(await cooling.admit(key), { admitted: false, state: 'half_open' })

    // Neither a straggler's success, nor one under another token, nor a straggler's failure moves it
    assert.equal(await cooling.record(key, true, 20), 'half_open')
    assert.equal(await cooling.record(key, true, 20, { probe: randomUUID() }), 'half_open')
    assert.equal(await cooling.record(key, false, 20), 'half_open')
    const halfOpen = await cooling.snapshot(key)
    assert.equal(halfOpen.state, 'half_open')
    assert.equal(halfOpen.successes, 3)
    assert.equal(halfOpen.failures, 4)

    // The probe's own success closes it, and the window starts afresh
    assert.equal(await cooling.record(key, true, 20, { probe: token }), 'closed')
    const closed = await cooling.snapshot(key)
    assert.include(closed, { state: 'closed', successes: 1, failures: 0, consecutiveFailures: 0 })
    assert.isNull(closed.openedAt)
    assert.isNull(closed.probeDueAt)
    assert.deepEqual(await cooling.admit(key), { admitted: true, probe: null })
  })

  test('a probe that never answered is replaced and its late success does not count; a failed probe opens the circuit anew', async ({
    assert,
  }) => {
    const cooling = healthWith(600)
    const due = healthWith(0)
    const key = `postal:${randomUUID()}`
    await openCircuit(cooling, key)

    const lost = await due.admit(key)
    const replacement = await due.admit(key)
    assert.isTrue(lost.admitted && replacement.admitted)
    const lostToken = lost.admitted ? lost.probe : null
    const token = replacement.admitted ? replacement.probe : null
    assert.notEqual(lostToken, token)

    assert.equal(await cooling.record(key, true, 20, { probe: lostToken }), 'half_open')
    assert.equal(await cooling.record(key, false, 20, { probe: token }), 'open')
    const reopened = await cooling.snapshot(key)
    // Opened by that failure: a fresh cool-down, counted from it
    assert.deepEqual(reopened.openedAt, reopened.lastFailureAt)
    assert.deepEqual(await cooling.admit(key), { admitted: false, state: 'open' })
    // The spent token closes nothing
    assert.equal(await cooling.record(key, true, 20, { probe: token }), 'open')
  })
})

test.group('Circuit breaker: sends through a dispatcher and a fake Postal', (group) => {
  const postal = new PostalFakeServer({ apiKey: API_KEY })
  const backup = new PostalFakeServer({ apiKey: API_KEY })
  let front: FlakyGatewayFront

  group.setup(async () => {
    await Promise.all([postal.start(), backup.start()])
    return async () => {
      await Promise.all([postal.stop(), backup.stop()])
    }
  })

  group.each.setup(async () => {
    front = await new FlakyGatewayFront(postal).start()
    backup.outage = null
    return () => front.stop()
  })

  test('a gateway failing 60 % of requests stays open through the successes of sends that began before it opened', async ({
    client,
    assert,
  }) => {
    const {
      headers,
      keys: [flakyKey, backupKey],
    } = await tenantWithPostalAccounts(front.baseUrl, backup.baseUrl)
    const health = healthWith(600)
    const dispatcher = await dispatcherWith(health)
    front.failureRate = 0.6
    front.hold()

    // Ten sends reach the flaky gateway while its circuit is closed
    const ids = await Promise.all(
      Array.from({ length: 10 }, (_, index) => queueEmail(client, headers, `flaky-${index}`))
    )
    const outcomes = Promise.all(ids.map((id) => dispatcher.dispatch(id)))
    await waitUntil('all ten at the gateway', async () => front.held.fail + front.held.pass === 10)
    assert.deepEqual(front.held, { fail: 6, pass: 4 })

    // Its failures answer first: the circuit opens, those messages fail over to the backup
    front.release('fail')
    await waitUntil('the six failures recorded', async () => {
      const snapshot = await health.snapshot(flakyKey)
      return snapshot.failures === 6 && snapshot
    })
    assert.equal(await circuitOf(health, flakyKey), 'open')

    // Then the four that began before it opened succeed: counted, but the circuit stays open
    front.release('pass')
    const kinds = await outcomes
    assert.deepEqual(
      kinds.map((outcome) => outcome.kind),
      Array(10).fill('sent')
    )
    const after = await health.snapshot(flakyKey)
    assert.include(after, { state: 'open', successes: 4, failures: 6 })

    const gateways = await Promise.all(ids.map(gatewayOf))
    assert.equal(gateways.filter((gateway) => gateway === flakyKey).length, 4)
    assert.equal(gateways.filter((gateway) => gateway === backupKey).length, 6)

    // While it cools down, mail goes to the backup and says why
    front.stopHolding()
    const during = await queueEmail(client, headers, 'during')
    assert.equal(await dispatch(dispatcher, during), 'sent')
    const duringSent = sentEventOf(await messageWithEvents(during))
    assert.equal(duringSent.gateway, backupKey)
    assert.deepEqual(duringSent.details.skipped, [{ key: flakyKey, reason: 'circuit open' }])
  }).timeout(30_000)

  test('the probe slot goes to a message that calls the gateway, and the probe’s success closes the circuit', async ({
    client,
    assert,
  }) => {
    const {
      headers,
      keys: [backupKey, recoveredKey],
    } = await tenantWithPostalAccounts(backup.baseUrl, front.baseUrl)
    const { health, dispatcher } = await dispatcherWithOpenCircuit(0, recoveredKey)

    // The healthy first choice carries it: the recovered gateway's probe slot stays free
    const first = await queueEmail(client, headers, 'first')
    assert.equal(await dispatch(dispatcher, first), 'sent')
    assert.equal(await gatewayOf(first), backupKey)
    assert.equal(await circuitOf(health, recoveredKey), 'open')

    // The first choice goes down: the next message fails over and is the probe
    backup.outage = { status: 503, body: { status: 'error' } }
    const probe = await queueEmail(client, headers, 'probe')
    assert.equal(await dispatch(dispatcher, probe), 'sent')
    const probed = await messageWithEvents(probe)
    assert.equal(probed.message.gateway, recoveredKey)
    assert.include(sentEventOf(probed).reason, 'half-open probe')
    assert.deepEqual(probed.types, ['queued', 'sending', 'failover', 'sent'])
    const closed = await health.snapshot(recoveredKey)
    assert.include(closed, { state: 'closed', successes: 1, failures: 0 })
  }).timeout(30_000)

  test('two messages at once while a probe is due: one is the probe, the other goes elsewhere and says why', async ({
    client,
    assert,
  }) => {
    const {
      headers,
      keys: [recoveredKey, backupKey],
    } = await tenantWithPostalAccounts(front.baseUrl, backup.baseUrl)
    // Long enough that the first probe is still out when the second message asks
    const { health, opened, dispatcher } = await dispatcherWithOpenCircuit(3, recoveredKey)
    const ids = [await queueEmail(client, headers, 'one'), await queueEmail(client, headers, 'two')]
    await waitUntil(
      'the cool-down to pass',
      async () => Date.now() > opened.probeDueAt!.getTime() + 50,
      { timeoutMs: 10_000 }
    )

    front.hold()
    const outcomes = Promise.all(ids.map((id) => dispatcher.dispatch(id)))
    await waitUntil('the probe at the gateway', async () => front.held.pass === 1)
    const refused = await waitUntil('the other message to be sent', async () => {
      for (const id of ids) {
        const sent = await messageWithEvents(id)
        if (sent.message.status === 'sent') return sent
      }
      return null
    })
    assert.equal(refused.message.gateway, backupKey)
    assert.deepEqual(sentEventOf(refused).details.skipped, [
      { key: recoveredKey, reason: 'circuit half_open' },
    ])
    assert.equal(await circuitOf(health, recoveredKey), 'half_open')

    front.release('pass')
    await outcomes
    const probe = await messageWithEvents(ids.find((id) => id !== refused.message.id)!)
    assert.equal(probe.message.gateway, recoveredKey)
    assert.include(sentEventOf(probe).reason, 'half-open probe')
    assert.equal(await circuitOf(health, recoveredKey), 'closed')
  }).timeout(30_000)
})
