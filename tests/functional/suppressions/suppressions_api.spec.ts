import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { Channel } from '#enums/channel'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { createTenant } from '#tests/helpers/tenants'
import {
  suppressGlobally,
  suppressThroughApi,
  suppressionRows,
  twoTenantsWithOwnEntries,
  uniqueTag,
} from '#tests/helpers/suppressions'

test.group('POST /api/v1/suppressions', () => {
  test('adds an entry in the recipient’s normal form, reason manual by default', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const tag = uniqueTag()

    const response = await suppressThroughApi(client, headers, {
      channel: 'email',
      recipient: `  Ada.${tag}@Example.COM `,
    })

    response.assertStatus(201)
    const body = response.body()
    assert.equal(body.recipient, `ada.${tag}@example.com`)
    assert.equal(body.reason, 'manual')
    assert.equal(body.scope, 'tenant')
    assert.equal(body.tenantId, tenant.id)
    assert.equal(body.source, 'api')
    assert.isNull(body.expiresAt)
    const rows = await suppressionRows(tenant.id, `ada.${tag}@example.com`)
    assert.lengthOf(rows, 1)
  })

  test('is idempotent: adding an entry again answers 200 with the one already there', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const first = await suppressThroughApi(client, headers, {
      channel: 'sms',
      recipient: '+1 (415) 555-0142',
      reason: 'unsubscribe',
      details: { ticket: 'SUP-1' },
    })
    first.assertStatus(201)

    const again = await suppressThroughApi(client, headers, {
      channel: 'sms',
      recipient: '+14155550142',
      reason: 'complaint',
    })

    again.assertStatus(200)
    assert.equal(again.body().id, first.body().id)
    assert.equal(again.body().reason, 'unsubscribe', 'the entry is kept as it was')
    assert.deepEqual(again.body().details, { ticket: 'SUP-1' })
    assert.lengthOf(await suppressionRows(tenant.id, '+14155550142'), 1)
  })

  test('keeps an expiry and a reason', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const expiresAt = new Date(Date.now() + 86_400_000)
    const response = await suppressThroughApi(client, headers, {
      channel: 'email',
      recipient: `full.${uniqueTag()}@example.com`,
      reason: 'soft_bounce',
      expiresAt: expiresAt.toISOString(),
    })
    response.assertStatus(201)
    assert.equal(response.body().reason, 'soft_bounce')
    assert.equal(new Date(response.body().expiresAt).getTime(), expiresAt.getTime())
  })

  test('renews an entry that has expired (it no longer protected the recipient)', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const [expired] = await db
      .table('suppressions')
      .insert({
        tenant_id: tenant.id,
        channel: 'sms',
        recipient: '+14155550163',
        reason: 'soft_bounce',
        expires_at: new Date(Date.now() - 60_000),
      })
      .returning('id')

    const response = await suppressThroughApi(client, headers, {
      channel: 'sms',
      recipient: '+14155550163',
    })

    response.assertStatus(201)
    assert.equal(response.body().id, expired.id)
    assert.equal(response.body().reason, 'manual')
    assert.isNull(response.body().expiresAt)
  })

  test('a message to a recipient suppressed through the API is answered as suppressed', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const tag = uniqueTag()
    await suppressThroughApi(client, headers, {
      channel: 'email',
      recipient: `grace.${tag}@example.com`,
    }).then((response) => response.assertStatus(201))

    const sent = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({
        channel: 'email',
        recipient: `Grace.${tag}@EXAMPLE.com`,
        subject: 'Hello',
        content: { text: 'Hi' },
      })

    sent.assertStatus(201)
    assert.equal(sent.body().status, 'suppressed')
    const job = await new MessageQueues().queue(Priority.P4).getJob(sent.body().id)
    assert.isUndefined(job, 'a suppressed message is never queued')
  })
})

test.group('GET /api/v1/suppressions', () => {
  test('lists the tenant’s own entries and the global ones (marked), never another tenant’s', async ({
    client,
    assert,
  }) => {
    const { mine, tag } = await twoTenantsWithOwnEntries(client)
    await suppressGlobally(Channel.Email, `everyone.${tag}@example.com`)

    const response = await client
      .get('/api/v1/suppressions')
      .qs({ search: tag })
      .headers(mine.headers)

    response.assertStatus(200)
    assert.sameDeepMembers(
      response.body().data.map((entry: any) => [entry.recipient, entry.scope]),
      [
        [`own.${tag}@example.com`, 'tenant'],
        [`everyone.${tag}@example.com`, 'global'],
      ]
    )
    assert.equal(response.body().meta.total, 2)
  })

  test('filters by part of the recipient in any case, by channel and by reason', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const tag = uniqueTag()
    const entries = [
      { channel: 'email', recipient: `alice.${tag}@example.com`, reason: 'hard_bounce' },
      { channel: 'email', recipient: `bob.${tag}@example.com`, reason: 'complaint' },
      { channel: 'email', recipient: `bob.${tag}@other.example`, reason: 'hard_bounce' },
    ]
    for (const entry of entries) {
      await suppressThroughApi(client, headers, entry).then((r) => r.assertStatus(201))
    }
    const recipients = async (qs: Record<string, string>) => {
      const response = await client.get('/api/v1/suppressions').qs(qs).headers(headers)
      response.assertStatus(200)
      return response
        .body()
        .data.map((entry: any) => entry.recipient)
        .sort()
    }

    assert.deepEqual(await recipients({ search: `BOB.${tag.toUpperCase()}` }), [
      `bob.${tag}@example.com`,
      `bob.${tag}@other.example`,
    ])
    assert.deepEqual(await recipients({ search: tag, reason: 'hard_bounce' }), [
      `alice.${tag}@example.com`,
      `bob.${tag}@other.example`,
    ])
    assert.deepEqual(await recipients({ search: tag, channel: 'sms' }), [])
    assert.deepEqual(await recipients({ search: `${tag}@other` }), [`bob.${tag}@other.example`])
    assert.deepEqual(await recipients({ search: '%' }), [], '% is a character, not a pattern')
  })

  test('paginates, newest first, with a meta block', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const tag = uniqueTag()
    for (const name of ['one', 'two', 'three']) {
      await suppressThroughApi(client, headers, {
        channel: 'email',
        recipient: `${name}.${tag}@example.com`,
      })
    }

    const first = await client
      .get('/api/v1/suppressions')
      .qs({ search: tag, perPage: 2 })
      .headers(headers)
    const second = await client
      .get('/api/v1/suppressions')
      .qs({ search: tag, perPage: 2, page: 2 })
      .headers(headers)

    assert.deepEqual(
      first.body().data.map((entry: any) => entry.recipient),
      [`three.${tag}@example.com`, `two.${tag}@example.com`]
    )
    assert.deepEqual(
      second.body().data.map((entry: any) => entry.recipient),
      [`one.${tag}@example.com`]
    )
    assert.include(second.body().meta, { total: 3, perPage: 2, currentPage: 2, lastPage: 2 })
  })
})

test.group('DELETE /api/v1/suppressions/:id', () => {
  test('lifts the tenant’s own entry: the recipient can be sent to again', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const created = await suppressThroughApi(client, headers, {
      channel: 'sms',
      recipient: '+14155550177',
    })

    const response = await client
      .delete(`/api/v1/suppressions/${created.body().id}`)
      .headers(headers)

    response.assertStatus(204)
    assert.lengthOf(await suppressionRows(tenant.id, '+14155550177'), 0)
    const sent = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ channel: 'sms', recipient: '+14155550177', content: { text: 'Back' } })
    assert.equal(sent.body().status, 'queued')

    const again = await client.delete(`/api/v1/suppressions/${created.body().id}`).headers(headers)
    again.assertStatus(404)
  })

  test('another tenant’s entry, a global one and a malformed id answer 404 and stay', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant('owner')
    const stranger = await createTenant('stranger')
    const tag = uniqueTag()
    const owned = await suppressThroughApi(client, owner.headers, {
      channel: 'email',
      recipient: `kept.${tag}@example.com`,
    })
    const global = await suppressGlobally(Channel.Email, `global.${tag}@example.com`)

    for (const [id, headers] of [
      [owned.body().id, stranger.headers],
      [global.id, owner.headers],
      ['not-an-id', owner.headers],
      ['99999999999999999999999', owner.headers],
    ] as const) {
      const response = await client.delete(`/api/v1/suppressions/${id}`).headers(headers)
      response.assertStatus(404)
      assert.equal(response.body().errors[0].code, 'E_NOT_FOUND')
    }
    assert.lengthOf(await suppressionRows(owner.tenant.id, `kept.${tag}@example.com`), 1)
    assert.lengthOf(await suppressionRows(null, `global.${tag}@example.com`), 1)
  })
})
