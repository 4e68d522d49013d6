import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { GatewayType } from '#enums/gateway_type'
import { Channel } from '#enums/channel'
import { OverviewSnapshots } from '#messaging/stats/overview_snapshot'
import { OperationsStats } from '#messaging/stats/operations_stats'
import { TenantQueueStats } from '#messaging/stats/tenant_queue_stats'
import { MessageActivity } from '#messaging/stats/message_activity'
import { GatewayHealthBoard } from '#messaging/stats/gateway_health_board'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { GatewayHealth } from '#messaging/routing/gateway_health'
import { createConsoleUser } from '#tests/helpers/console_users'
import { createTenant } from '#tests/helpers/tenants'
import { acceptMessage } from '#tests/helpers/messages'
import { createProviderConfig } from '#tests/helpers/webhooks'

/**
 * A fresh overview cache whose snapshots outlive the test: what a page shows
 * is then what the test arranged before its first request, never a snapshot
 * another test left, and no assertion depends on how fast requests are.
 */
async function freshSnapshots() {
  return new OverviewSnapshots(
    await app.container.make(OperationsStats),
    new TenantQueueStats(),
    new MessageActivity(),
    await app.container.make(GatewayHealthBoard),
    60_000
  )
}

/** The numbers in a lanes table row (`P0`, …) of a rendered overview */
function laneRow(html: string, priority: Priority) {
  const row = new RegExp(`<th scope="row">\\s*${priority}\\b[\\s\\S]*?</tr>`).exec(html)
  if (!row) throw new Error(`no ${priority} row in the lanes table`)
  return [...row[0].matchAll(/<td>([\d,]+)<\/td>/g)].map((cell) => Number(cell[1].replace(',', '')))
}

/** The value of a stat tile, by its label */
function stat(html: string, label: string) {
  const tile = new RegExp(`${label}</div>\\s*<div class="value[^"]*">([\\d,]+)</div>`).exec(html)
  if (!tile) throw new Error(`no "${label}" tile`)
  return Number(tile[1].replace(',', ''))
}

/** Every SQL statement about messages that runs while `run` does */
async function messageQueriesDuring(run: () => Promise<unknown>) {
  const knex = db.connection().getWriteClient()
  const seen: string[] = []
  const listener = (query: { sql: string }) => {
    if (/\bmessages\b/.test(query.sql)) seen.push(query.sql)
  }
  knex.on('query', listener)
  try {
    await run()
  } finally {
    knex.off('query', listener)
  }
  return seen
}

const sms = (priority: Priority, extra: Record<string, unknown> = {}) => ({
  channel: 'sms',
  priority,
  recipient: '+14155550100',
  content: { text: 'Overview' },
  ...extra,
})

test.group('Console overview', (group) => {
  group.each.setup(async () => {
    const snapshots = await freshSnapshots()
    app.container.swap(OverviewSnapshots, () => snapshots)
    return () => app.container.restore(OverviewSnapshots)
  })

  test('a tenant admin sees their lanes from PostgreSQL, the last hour as a chart, today’s failures and bounces', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant('Overview, admin')
    const admin = await createConsoleUser('admin', tenant.id)
    await acceptMessage(client, headers, sms(Priority.P0))
    await acceptMessage(client, headers, sms(Priority.P0))
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString()
    await acceptMessage(client, headers, sms(Priority.P2, { scheduledAt: inAnHour }))
    const sent = await acceptMessage(client, headers, sms(Priority.P1))
    await db.from('messages').where('id', sent).update({ status: 'sent', sent_at: new Date() })
    const bounced = await acceptMessage(client, headers, sms(Priority.P1))
    await db
      .from('messages')
      .where('id', bounced)
      .update({ status: 'failed', sent_at: new Date(), failed_at: new Date() })
    await db.table('delivery_events').insert({
      message_id: bounced,
      tenant_id: tenant.id,
      type: 'bounced',
      source: 'postal',
    })

    const response = await client.get('/console').withGuard('web').loginAs(admin)

    response.assertStatus(200)
    const html = response.text()
    assert.include(html, '<title>Overview · Switchboard</title>')
    assert.include(html, 'counted from its messages (the queues are shared by every tenant)')
    // Queued, sending, deferred, scheduled
    assert.deepEqual(laneRow(html, Priority.P0), [2, 0, 0, 0])
    assert.deepEqual(laneRow(html, Priority.P1), [0, 0, 0, 0])
    assert.deepEqual(laneRow(html, Priority.P2), [0, 0, 0, 1])
    assert.equal(stat(html, 'Sent, last hour'), 2)
    assert.equal(stat(html, 'Sent today'), 2)
    assert.equal(stat(html, 'Failed today'), 1)
    assert.equal(stat(html, 'Bounced today'), 1)
    assert.match(html, /<svg class="chart"[^>]*role="img"[^>]*aria-labelledby="sent-chart-title/)
    assert.include(html, 'Messages sent per minute over the last hour (UTC)</title>')
    assert.match(html, /<rect class="bar"[^>]*><title>\d\d:\d\d: 2 sent<\/title><\/rect>/)
    assert.lengthOf(html.match(/<rect class="bar"/g) ?? [], 1)
    assert.include(html, 'hx-trigger="every 5s"')
  })

  test('an operator sees every tenant’s jobs per lane and each gateway’s health and circuit', async ({
    client,
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    const { headers } = await createTenant('Overview, operator')
    const config = await createProviderConfig(GatewayType.Postal, Channel.Email, {
      baseUrl: 'https://postal.example.com',
      apiKey: 'k',
      from: 'a@example.com',
    })
    const name = `Shared Postal ${config.id}`
    config.merge({ enabled: true, name })
    await config.save()
    const health = await app.container.make(GatewayHealth)
    for (let failure = 0; failure < 5; failure++) {
      await health.record(`postal:${config.id}`, false, 20)
    }
    const before = await new MessageQueues().counts()
    await acceptMessage(client, headers, sms(Priority.P3))
    await acceptMessage(client, headers, sms(Priority.P3))

    const response = await client.get('/console').withGuard('web').loginAs(operator)

    response.assertStatus(200)
    const html = response.text()
    assert.include(html, 'Every tenant, and the shared queues')
    assert.include(html, "Jobs in each priority queue now, every tenant's.")
    const p3 = before.find((lane) => lane.priority === Priority.P3)!
    // Waiting, active, delayed, failed
    assert.deepEqual(laneRow(html, Priority.P3), [p3.waiting + 2, p3.active, p3.delayed, p3.failed])
    assert.match(html, /<svg class="chart"/)
    const gateway = html.slice(html.indexOf(name), html.indexOf('</tr>', html.indexOf(name)))
    assert.include(gateway, 'postal · email · system')
    assert.include(gateway, 'open (skipped)')
    assert.include(gateway, '5 failed in a row')
    assert.include(gateway, '0 ok · 5 failed')
    assert.include(gateway, '17%')
  })

  test('an operator who picked a tenant sees that tenant’s figures', async ({ client, assert }) => {
    const operator = await createConsoleUser('operator')
    const { tenant, headers } = await createTenant('Overview, picked')
    await acceptMessage(client, headers, sms(Priority.P4))

    const response = await client
      .get('/console')
      .withSession({ 'console.tenantId': tenant.id })
      .withGuard('web')
      .loginAs(operator)

    response.assertStatus(200)
    const html = response.text()
    assert.include(html, 'Tenant Overview, picked')
    assert.deepEqual(laneRow(html, Priority.P4), [1, 0, 0, 0])
  })

  test('a new install says how to send the first message', async ({ client, assert }) => {
    const { tenant } = await createTenant('Overview, empty')
    const viewer = await createConsoleUser('viewer', tenant.id)

    const response = await client.get('/console').withGuard('web').loginAs(viewer)

    response.assertStatus(200)
    const html = response.text()
    assert.include(html, 'Nothing sent yet')
    assert.include(html, `node ace tenants:issue-key ${tenant.id}`)
    assert.include(html, '/api/v1/messages')
    assert.include(html, 'href="/console/providers/new"')
    assert.notInclude(html, '<svg class="chart"')
  })

  test('the live refresh answers the figures alone, as the fragment that replaces itself', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant('Overview, live')
    const admin = await createConsoleUser('admin', tenant.id)
    await acceptMessage(client, headers, sms(Priority.P0))

    const response = await client
      .get('/console/overview/live')
      .header('HX-Request', 'true')
      .withGuard('web')
      .loginAs(admin)

    response.assertStatus(200)
    const html = response.text().trim()
    assert.match(html, /^<section id="overview-live"/)
    assert.match(html, /<\/section>$/)
    assert.notInclude(html, '<html')
    assert.notInclude(html, 'class="topbar"')
    assert.include(html, 'hx-get="/console/overview/live"')
    assert.include(html, 'hx-trigger="every 5s"')
    assert.include(html, 'hx-swap="outerHTML"')
    assert.deepEqual(laneRow(html, Priority.P0), [1, 0, 0, 0])
  })

  test('five quick polls of one scope run its queries once', async ({ client, assert }) => {
    const { tenant, headers } = await createTenant('Overview, polls')
    const admin = await createConsoleUser('admin', tenant.id)
    await acceptMessage(client, headers, sms(Priority.P0))
    const poll = async () => {
      const response = await client.get('/console/overview/live').withGuard('web').loginAs(admin)
      response.assertStatus(200)
    }

    const once = await messageQueriesDuring(poll)
    const fresh = await freshSnapshots()
    app.container.swap(OverviewSnapshots, () => fresh)
    const fivePolls = await messageQueriesDuring(async () => {
      await Promise.all([poll(), poll()])
      for (let index = 0; index < 3; index++) await poll()
    })

    assert.isAbove(once.length, 0)
    assert.deepEqual(fivePolls.sort(), once.sort())
  })

  test('signed out, the overview and its live refresh send to the sign-in page', async ({
    client,
  }) => {
    for (const path of ['/console', '/console/overview/live']) {
      const response = await client.get(path).redirects(0)
      response.assertStatus(302)
      response.assertHeader('location', '/console/login')
    }
  })
})
