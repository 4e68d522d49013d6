import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { createTenant } from '#tests/helpers/tenants'
import { createProviderConfig } from '#tests/helpers/webhooks'

const MINUTE = 60_000
const HOUR = 60 * MINUTE
const DAY = 24 * HOUR

function ago(ms: number) {
  return new Date(Date.now() - ms)
}

interface Seed {
  tenantId: string
  gateway: string | null
  status: string
  direction?: 'outbound' | 'inbound'
  sentAt?: Date
  deliveredAt?: Date
  failedAt?: Date
  /** A provider reported it bounced (a `bounced` event) */
  bounced?: boolean
}

/** A message row as the pipeline leaves it, with the times of its outcomes. */
async function seedMessage(seed: Seed) {
  const id = randomUUID()
  const createdAt = ago(10 * DAY)
  await db.table('messages').insert({
    id,
    tenant_id: seed.tenantId,
    direction: seed.direction ?? 'outbound',
    channel: 'email',
    priority: 'P1',
    message_type: 'transactional',
    recipient: `${id}@example.com`,
    recipient_domain: 'example.com',
    content: JSON.stringify({ text: 'hello' }),
    status: seed.status,
    gateway: seed.gateway,
    sent_at: seed.sentAt ?? null,
    delivered_at: seed.deliveredAt ?? null,
    failed_at: seed.failedAt ?? null,
    created_at: createdAt,
    updated_at: createdAt,
  })
  if (seed.bounced) {
    await db.table('delivery_events').insert({
      message_id: id,
      tenant_id: seed.tenantId,
      type: 'bounced',
      source: 'postal',
      occurred_at: seed.failedAt,
    })
  }
}

async function saveHealth(row: {
  gatewayKey: string
  providerConfigId: string | null
  score: number
  circuitState: string
  consecutiveFailures: number
  avgLatencyMs: number
}) {
  await db
    .knexQuery()
    .table('channel_health')
    .insert({
      gateway_key: row.gatewayKey,
      gateway: row.gatewayKey.split(':')[0],
      provider_config_id: row.providerConfigId,
      channel: 'email',
      score: row.score,
      circuit_state: row.circuitState,
      consecutive_failures: row.consecutiveFailures,
      avg_latency_ms: row.avgLatencyMs,
    })
    .onConflict('gateway_key')
    .merge()
}

function counts(sent: number, delivered: number, failed: number, bounced: number) {
  return { sent, delivered, failed, bounced }
}

test.group('GET /messages/stats/channels', () => {
  test('per gateway: sent, delivered, failed and bounced over 1h, 24h and 7d, with health', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const other = await createTenant('Other tenant')
    const postal = await createProviderConfig(GatewayType.Postal, Channel.Email, {}, tenant.id)
    const othersPostal = await createProviderConfig(
      GatewayType.Postal,
      Channel.Email,
      {},
      other.tenant.id
    )
    const postalKey = `postal:${postal.id}`
    const tenantId = tenant.id

    // Through the tenant's Postal account
    await seedMessage({ tenantId, gateway: postalKey, status: 'sent', sentAt: ago(10 * MINUTE) })
    await seedMessage({
      tenantId,
      gateway: postalKey,
      status: 'delivered',
      sentAt: ago(31 * MINUTE),
      deliveredAt: ago(20 * MINUTE),
    })
    await seedMessage({
      tenantId,
      gateway: postalKey,
      status: 'delivered',
      sentAt: ago(3 * HOUR),
      deliveredAt: ago(2 * HOUR),
    })
    await seedMessage({
      tenantId,
      gateway: postalKey,
      status: 'failed',
      sentAt: ago(40 * MINUTE),
      failedAt: ago(30 * MINUTE),
    })
    await seedMessage({
      tenantId,
      gateway: postalKey,
      status: 'failed',
      sentAt: ago(2 * DAY),
      failedAt: ago(2 * DAY - HOUR),
      bounced: true,
    })
    await seedMessage({
      tenantId,
      gateway: postalKey,
      status: 'delivered',
      sentAt: ago(8 * DAY),
      deliveredAt: ago(8 * DAY),
    })
    // Through the log gateway, and none at all
    await seedMessage({ tenantId, gateway: 'log', status: 'sent', sentAt: ago(5 * HOUR) })
    await seedMessage({ tenantId, gateway: null, status: 'failed', failedAt: ago(5 * MINUTE) })
    // Not counted: suppressed at send, an inbound message, another tenant's sends
    await seedMessage({ tenantId, gateway: null, status: 'suppressed', failedAt: ago(MINUTE) })
    await seedMessage({
      tenantId,
      gateway: postalKey,
      status: 'delivered',
      direction: 'inbound',
      deliveredAt: ago(MINUTE),
    })
    await seedMessage({
      tenantId: other.tenant.id,
      gateway: 'log',
      status: 'sent',
      sentAt: ago(MINUTE),
    })

    await saveHealth({
      gatewayKey: postalKey,
      providerConfigId: postal.id,
      score: 0.25,
      circuitState: 'open',
      consecutiveFailures: 6,
      avgLatencyMs: 420,
    })
    await saveHealth({
      gatewayKey: 'log',
      providerConfigId: null,
      score: 1,
      circuitState: 'closed',
      consecutiveFailures: 0,
      avgLatencyMs: 2,
    })
    await saveHealth({
      gatewayKey: `postal:${othersPostal.id}`,
      providerConfigId: othersPostal.id,
      score: 0.5,
      circuitState: 'half_open',
      consecutiveFailures: 1,
      avgLatencyMs: 90,
    })

    const response = await client.get('/api/v1/messages/stats/channels').headers(headers)
    response.assertStatus(200)
    const body = response.body()
    assert.deepEqual(body.windows, ['1h', '24h', '7d'])
    const gateways = body.gateways.map(
      (entry: { health: Record<string, unknown> | null } & Record<string, unknown>) => ({
        ...entry,
        health: entry.health && { ...entry.health, updatedAt: typeof entry.health.updatedAt },
      })
    )

    assert.deepEqual(gateways, [
      {
        gateway: 'log',
        type: 'log',
        channels: ['email'],
        counts: { '1h': counts(0, 0, 0, 0), '24h': counts(1, 0, 0, 0), '7d': counts(1, 0, 0, 0) },
        health: {
          score: 1,
          circuitState: 'closed',
          consecutiveFailures: 0,
          avgLatencyMs: 2,
          updatedAt: 'string',
        },
      },
      {
        gateway: postalKey,
        type: 'postal',
        channels: ['email'],
        counts: {
          '1h': counts(3, 1, 1, 0),
          '24h': counts(4, 2, 1, 0),
          '7d': counts(5, 2, 2, 1),
        },
        health: {
          score: 0.25,
          circuitState: 'open',
          consecutiveFailures: 6,
          avgLatencyMs: 420,
          updatedAt: 'string',
        },
      },
      {
        gateway: null,
        type: null,
        channels: ['email'],
        counts: { '1h': counts(0, 0, 1, 0), '24h': counts(0, 0, 1, 0), '7d': counts(0, 0, 1, 0) },
        health: null,
      },
    ])
  })

  test('another tenant’s provider account stays hidden', async ({ client, assert }) => {
    const other = await createTenant('Other tenant')
    const othersPostal = await createProviderConfig(
      GatewayType.Postal,
      Channel.Email,
      {},
      other.tenant.id
    )
    const othersKey = `postal:${othersPostal.id}`
    await seedMessage({
      tenantId: other.tenant.id,
      gateway: othersKey,
      status: 'sent',
      sentAt: ago(MINUTE),
    })
    await saveHealth({
      gatewayKey: othersKey,
      providerConfigId: othersPostal.id,
      score: 0.5,
      circuitState: 'half_open',
      consecutiveFailures: 1,
      avgLatencyMs: 90,
    })
    const { headers } = await createTenant()

    const response = await client.get('/api/v1/messages/stats/channels').headers(headers)
    response.assertStatus(200)
    const gateways: Array<{ gateway: string; counts: Record<string, unknown> }> =
      response.body().gateways
    assert.notInclude(
      gateways.map((entry) => entry.gateway),
      othersKey
    )
    for (const entry of gateways) {
      assert.deepEqual(entry.counts['7d'], counts(0, 0, 0, 0))
    }
  })
})
