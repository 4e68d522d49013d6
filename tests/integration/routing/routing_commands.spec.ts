import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import redis from '@adonisjs/redis/services/main'
import { Priority } from '#enums/priority'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import ProviderConfig from '#models/provider_config'
import { GatewayHealth, type HealthSettings } from '#messaging/routing/gateway_health'
import { RateLimiter } from '#messaging/routing/rate_limiter'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import CommsUpdateChannelHealth from '#commands/comms_update_channel_health'
import CommsPersistCounters from '#commands/comms_persist_counters'
import { runCommand } from '#tests/helpers/commands'

async function postalConfig() {
  const accounts = await app.container.make(ProviderAccounts)
  return ProviderConfig.create({
    ...accounts.sealNew(null, { apiKey: 'k' }),
    type: GatewayType.Postal,
    channel: Channel.Email,
    name: 'Postal for health',
    priority: 9,
    enabled: false,
    mask: '…k',
    metadata: {},
  })
}

test.group('comms:update-channel-health', (group) => {
  group.each.setup(async () => {
    await db.from('channel_health').delete()
  })

  test('writes each gateway’s window, score and circuit from Redis; --dry-run writes nothing', async ({
    assert,
  }) => {
    const config = await postalConfig()
    const key = `postal:${config.id}`
    const health = await app.container.make(GatewayHealth)
    await health.record(key, true, 120)
    await health.record(key, true, 80)
    for (let failure = 0; failure < 5; failure++) await health.record(key, false, 30)

    const dry = await runCommand(CommsUpdateChannelHealth, ['--dry-run'])
    dry.command.assertSucceeded()
    assert.include(dry.output, key)
    assert.lengthOf(await db.from('channel_health'), 0)

    const run = await runCommand(CommsUpdateChannelHealth)
    run.command.assertSucceeded()
    const row = await db.from('channel_health').where('gateway_key', key).firstOrFail()
    assert.equal(row.gateway, 'postal')
    assert.equal(row.provider_config_id, config.id)
    assert.equal(row.channel, 'email')
    assert.equal(row.circuit_state, 'open')
    assert.equal(row.consecutive_failures, 5)
    assert.equal(Number(row.success_count), 2)
    assert.equal(Number(row.failure_count), 5)
    assert.equal(row.avg_latency_ms, Math.round((120 + 80 + 5 * 30) / 7))
    assert.closeTo(Number(row.score), 3 / 8, 0.001)
    assert.isNotNull(row.circuit_opened_at)

    // Run again after a recovery (a probe past the cool-down succeeded): the same row, now closed
    const probe = await new GatewayHealth(redis.connection(), {
      ...app.config.get<HealthSettings>('messaging.health'),
      cooldownSeconds: 0,
    }).admit(key)
    assert.isTrue(probe.admitted)
    await health.record(key, true, 50, { probe: probe.admitted ? probe.probe : null })
    await runCommand(CommsUpdateChannelHealth)
    const rows = await db.from('channel_health').where('gateway_key', key)
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].circuit_state, 'closed')
    assert.equal(rows[0].consecutive_failures, 0)
  })
})

test.group('comms:persist-counters', () => {
  test('copies the minute counters of every budget into rate_limits, idempotently', async ({
    assert,
  }) => {
    await db.from('rate_limits').delete()
    const domain = `counted-${Date.now()}.example`
    const limiter = new RateLimiter(redis.connection(), {
      domains: new Map([[domain, { limit: 3, windowMs: 60_000 }]]),
      defaultDomain: null,
      tenant: () => null,
      bulkShare: 1,
      bulkPriorities: [],
    })
    const message = { tenant_id: 'tenant', priority: Priority.P4, recipient_domain: domain }
    const decisions = []
    for (let send = 0; send < 5; send++) {
      decisions.push(await limiter.take(`m${send}`, limiter.messageBudgets(message)))
    }
    assert.deepEqual(
      decisions.map((decision) => decision.allowed),
      [true, true, true, false, false]
    )

    const dry = await runCommand(CommsPersistCounters, ['--dry-run'])
    dry.command.assertSucceeded()
    assert.lengthOf(await db.from('rate_limits'), 0)

    await runCommand(CommsPersistCounters)
    await runCommand(CommsPersistCounters)
    const rows = await db.from('rate_limits').where('scope', 'domain').where('key', domain)
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].count, 3)
    assert.equal(rows[0].deferred, 2)
    assert.equal(rows[0].limit, 3)
    assert.equal(rows[0].window_seconds, 60)
    assert.equal(rows[0].window_start.getTime() % 60_000, 0)
  })
})
