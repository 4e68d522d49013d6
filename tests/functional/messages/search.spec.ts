import { test } from '@japa/runner'
import { DateTime } from 'luxon'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { encodeCursor } from '#messaging/actions/message_cursor'
import { createKey, createTenant } from '#tests/helpers/tenants'
import { insertMessageRows } from '#tests/helpers/message_rows'
import { acceptMessage } from '#tests/helpers/messages'

type Query = Record<string, string | number>

/** GET /api/v1/messages with `query` (a string keeps repeated parameters), answered 200: the body */
async function searched(client: ApiClient, headers: Record<string, string>, query: Query | string) {
  const response =
    typeof query === 'string'
      ? await client.get(`/api/v1/messages?${query}`).headers(headers)
      : await client.get('/api/v1/messages').headers(headers).qs(query)
  response.assertStatus(200)
  return response.body() as {
    data: Array<Record<string, any>>
    nextCursor: string | null
    prevCursor: string | null
  }
}

async function idsFound(client: ApiClient, headers: Record<string, string>, query: Query | string) {
  const { data } = await searched(client, headers, query)
  return data.map((message) => message.id as string)
}

const ago = (duration: Record<string, number>) => DateTime.utc().minus(duration)

test.group('GET /api/v1/messages: the message search', () => {
  test('lists the tenant own messages newest first, as summaries of what GET /:id shows', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const other = await createTenant()
    const [older] = await insertMessageRows(tenant.id, [
      { created_at: ago({ hours: 2 }).toJSDate() },
    ])
    await insertMessageRows(other.tenant.id, [{ recipient: 'someone@example.com' }])
    const sent = await acceptMessage(client, headers, {
      channel: 'email',
      recipient: 'ada@example.com',
      subject: 'Hi',
      content: { text: 'A body the list does not carry' },
      metadata: { orderId: 'A-1' },
    })

    const page = await searched(client, headers, {})
    assert.deepEqual(
      page.data.map((message) => message.id),
      [sent, older]
    )
    assert.isNull(page.nextCursor)
    assert.isNull(page.prevCursor)

    const shownResponse = await client.get(`/api/v1/messages/${sent}`).headers(headers)
    const shown = shownResponse.body()
    const summary = page.data[0]
    const onlyShown = Object.keys(shown).filter((key) => !(key in summary))
    assert.sameMembers(onlyShown, ['content', 'fallback', 'events', 'lockedUntil'])
    for (const key of Object.keys(summary)) assert.deepEqual(summary[key], shown[key], key)
    assert.notInclude(JSON.stringify(page), 'A body the list does not carry')
  })

  test('each filter narrows the list, and filters combine', async ({ client, assert }) => {
    const { tenant, headers } = await createTenant()
    const other = await createTenant()
    const [ada, phone, grace, push, odd] = await insertMessageRows(tenant.id, [
      {
        recipient: 'Ada.Lovelace@Example.com',
        created_at: ago({ hours: 5 }).toJSDate(),
        metadata: JSON.stringify({ orderId: 'A-1', plan: 'gold' }),
        source_type: 'order',
        source_id: '1001',
      },
      {
        channel: 'sms',
        priority: 'P0',
        status: 'failed',
        recipient: '+447700900123',
        message_type: 'alert',
        created_at: ago({ hours: 4 }).toJSDate(),
        metadata: JSON.stringify({ plan: 'silver' }),
      },
      {
        priority: 'P2',
        status: 'failed',
        recipient: 'grace.hopper@navy.mil',
        message_type: 'newsletter',
        created_at: ago({ days: 3 }).toJSDate(),
      },
      {
        channel: 'push',
        priority: 'P1',
        status: 'canceled',
        recipient: 'token_abc',
        created_at: ago({ days: 10 }).toJSDate(),
      },
      {
        priority: 'P3',
        status: 'suppressed',
        recipient: '100%_real@example.com',
        created_at: ago({ hours: 1 }).toJSDate(),
        metadata: JSON.stringify({ orderId: 42 }),
      },
    ])
    // Another tenant's message matching every filter above is never found
    await insertMessageRows(other.tenant.id, [
      { recipient: 'ada.lovelace@example.com', status: 'failed', channel: 'sms', priority: 'P0' },
    ])

    const expectations: Array<[Query | string, string[]]> = [
      [{ status: 'failed' }, [phone, grace]],
      [{ status: 'failed,canceled' }, [phone, grace, push]],
      ['status=failed&status=suppressed', [odd, phone, grace]],
      [{ channel: 'sms' }, [phone]],
      [{ channel: 'email' }, [odd, ada, grace]],
      [{ priority: 'P0' }, [phone]],
      [{ priority: 'P1,P2' }, [grace, push]],
      [{ recipient: 'lovelace' }, [ada]],
      [{ recipient: 'ADA.LOVELACE@EXAMPLE.COM' }, [ada]],
      [{ recipient: '7700900' }, [phone]],
      // % and _ are characters, not wildcards
      [{ recipient: '%_' }, [odd]],
      [{ messageType: 'alert' }, [phone]],
      [{ sourceType: 'order' }, [ada]],
      [{ sourceType: 'order', sourceId: '1001' }, [ada]],
      [{ sourceId: '9999' }, []],
      [{ metadata: 'orderId' }, [odd, ada]],
      // A value matches as a string, and as the number it spells
      [{ metadata: 'orderId=42' }, [odd]],
      [{ metadata: 'orderId=A-1' }, [ada]],
      [{ metadata: 'orderId=A' }, []],
      [{ metadata: 'plan=gold' }, [ada]],
      [{ createdFrom: ago({ days: 2 }).toISO()! }, [odd, phone, ada]],
      [{ createdTo: ago({ days: 2 }).toISO()! }, [grace, push]],
      [{ createdFrom: ago({ days: 4 }).toISO()!, createdTo: ago({ days: 2 }).toISO()! }, [grace]],
      // A date alone is a whole UTC day: `to` runs through its end
      [{ createdTo: ago({ days: 10 }).toISODate()! }, [push]],
      [{ channel: 'email', status: 'failed' }, [grace]],
      [{ channel: 'email', status: 'delivered', recipient: 'ada' }, [ada]],
      // An empty parameter (a form's blank field) filters nothing
      ['status=&channel=&recipient=', [odd, phone, ada, grace, push]],
    ]
    for (const [query, expected] of expectations) {
      assert.deepEqual(await idsFound(client, headers, query), expected, JSON.stringify(query))
    }
  })

  test('cursor pages cover every message once, in order, across equal created_at', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    // Rows that share a created_at to the microsecond, and neighbours a microsecond apart
    const same = '2026-06-01T10:00:00.123456Z'
    await insertMessageRows(tenant.id, [
      ...Array.from({ length: 12 }, () => ({ created_at: same })),
      ...Array.from({ length: 6 }, () => ({ created_at: '2026-06-01T10:00:00.123457Z' })),
      ...Array.from({ length: 6 }, () => ({ created_at: '2026-06-01T10:00:00.123455Z' })),
      ...Array.from({ length: 6 }, (_, index) => ({
        created_at: `2026-05-0${index + 1}T00:00:00Z`,
      })),
    ])
    const ordered = await db
      .from('messages')
      .where('tenant_id', tenant.id)
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .select('id')
    const expected = ordered.map((row) => row.id)

    const pages: string[][] = []
    const cursors: Array<string | null> = []
    let cursor: string | null = null
    do {
      const page = await searched(client, headers, cursor ? { limit: 5, cursor } : { limit: 5 })
      pages.push(page.data.map((message) => message.id))
      cursors.push(page.prevCursor)
      cursor = page.nextCursor
      // A message created meanwhile does not shift the pages already being read
      if (pages.length === 1) await insertMessageRows(tenant.id, [{}])
    } while (cursor)
    assert.deepEqual(pages.flat(), expected)
    assert.lengthOf(pages, 6)

    // Back from the last page with each page's prevCursor: the same pages in reverse
    for (let index = pages.length - 1; index > 0; index--) {
      const newer = await searched(client, headers, { limit: 5, cursor: cursors[index]! })
      assert.deepEqual(
        newer.data.map((message) => message.id),
        pages[index - 1]
      )
    }
  })

  test('limit: 50 unless given, at most 200', async ({ client, assert }) => {
    const { tenant, headers } = await createTenant()
    await insertMessageRows(
      tenant.id,
      Array.from({ length: 60 }, (_, index) => ({ created_at: ago({ minutes: index }).toJSDate() }))
    )
    const first = await searched(client, headers, {})
    assert.lengthOf(first.data, 50)
    assert.isString(first.nextCursor)
    const rest = await searched(client, headers, { cursor: first.nextCursor! })
    assert.lengthOf(rest.data, 10)
    assert.isNull(rest.nextCursor)
    const all = await searched(client, headers, { limit: 200 })
    assert.lengthOf(all.data, 60)
    assert.isNull(all.nextCursor)
  })

  test('another tenant cursor only positions the list: its messages never show', async ({
    client,
    assert,
  }) => {
    const mine = await createTenant()
    const theirs = await createTenant()
    const [own] = await insertMessageRows(mine.tenant.id, [
      { created_at: ago({ days: 1 }).toJSDate() },
    ])
    await insertMessageRows(theirs.tenant.id, [{}, {}])
    const theirPage = await searched(client, theirs.headers, { limit: 1 })
    assert.deepEqual(await idsFound(client, mine.headers, { cursor: theirPage.nextCursor! }), [own])
  })

  test('a bad cursor or filter is a 422 naming the parameter, never a 500', async ({
    client,
    assert,
  }) => {
    const { headers } = await createTenant()
    const id = '0b9a7a2e-6c1f-4c61-9d0e-6a2f1b3c4d5e'
    const cursorOf = (text: string) => Buffer.from(text).toString('base64url')
    const bad: Array<[Query, string]> = [
      [{ cursor: 'not a cursor!' }, 'cursor'],
      [{ cursor: cursorOf(`o|2026-02-30T00:00:00.000000Z|${id}`) }, 'cursor'],
      [{ cursor: cursorOf(`o|0000-01-01T00:00:00.000000Z|${id}`) }, 'cursor'],
      [{ cursor: cursorOf(`x|2026-02-01T00:00:00.000000Z|${id}`) }, 'cursor'],
      [{ cursor: cursorOf('o|2026-02-01T00:00:00.000000Z|not-a-uuid') }, 'cursor'],
      [{ cursor: cursorOf(`o|2026-02-01T00:00:00.000000Z|${id}|more`) }, 'cursor'],
      [
        { cursor: encodeCursor({ direction: 'older', createdAt: '2026-02-01T00:00:00Z', id }) },
        'cursor',
      ],
      [{ status: 'bogus' }, 'status'],
      [{ status: 'failed,bogus' }, 'status'],
      [{ channel: 'fax' }, 'channel'],
      [{ priority: 'P9' }, 'priority'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 201 }, 'limit'],
      [{ limit: 'ten' }, 'limit'],
      [{ limit: 2.5 }, 'limit'],
      [{ createdFrom: 'yesterday' }, 'createdFrom'],
      [{ createdTo: '2026-13-01' }, 'createdTo'],
      [{ metadata: '=gold' }, 'metadata'],
      [{ recipient: 'x'.repeat(256) }, 'recipient'],
    ]
    for (const [query, field] of bad) {
      const response = await client.get('/api/v1/messages').headers(headers).qs(query)
      response.assertStatus(422)
      const [error] = response.body().errors
      assert.equal(error.code, 'E_VALIDATION', JSON.stringify(query))
      assert.match(error.field, new RegExp(`^${field}(\\.|$)`), JSON.stringify(query))
    }
    // Text PostgreSQL cannot hold is a malformed request
    const nul = await client.get('/api/v1/messages?recipient=a%00b').headers(headers)
    nul.assertStatus(400)
  })

  test('needs a key with the read scope', async ({ client, assert }) => {
    const owner = await createTenant()
    const sendOnly = await createKey(owner, { scopes: ['send'] })
    const readOnly = await createKey(owner, { scopes: ['read'] })

    const refused = await client.get('/api/v1/messages').headers(sendOnly.headers)
    refused.assertStatus(403)
    assert.equal(refused.body().errors[0].code, 'E_MISSING_SCOPE')
    const anonymous = await client.get('/api/v1/messages')
    anonymous.assertStatus(401)
    const allowed = await client.get('/api/v1/messages').headers(readOnly.headers)
    allowed.assertStatus(200)
    assert.deepEqual(allowed.body(), { data: [], nextCursor: null, prevCursor: null })
  })
})
