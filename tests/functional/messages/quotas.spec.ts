import { test } from '@japa/runner'
import Tenant from '#models/tenant'
import type { ApiClient } from '@japa/api-client'
import { periodsAt } from '#messaging/quotas/quota_periods'
import { createKey, createTenant } from '#tests/helpers/tenants'
import { setQuotas, storedFor, tenantWithQuotas } from '#tests/helpers/quotas'
import { suppressThroughApi } from '#tests/helpers/suppressions'

const sms = (recipient = '+14155550100') => ({
  channel: 'sms',
  recipient,
  content: { text: 'hello' },
})
const email = (recipient = 'ada@example.com') => ({
  channel: 'email',
  recipient,
  subject: 'Hi',
  content: { text: 'hello' },
})

/** POST /api/v1/messages, asserting the status it answers with (201 unless told). */
async function post(
  client: ApiClient,
  headers: Record<string, string>,
  body: object,
  status = 201
) {
  const reply = await client.post('/api/v1/messages').headers(headers).json(body)
  reply.assertStatus(status)
  return reply
}

async function usage(client: ApiClient, headers: Record<string, string>) {
  const response = await client.get('/api/v1/usage').headers(headers)
  response.assertStatus(200)
  return response.body()
}

/** Seconds from now until `resetsAt`, as a Retry-After would say it. */
function secondsUntil(resetsAt: Date) {
  return Math.ceil((resetsAt.getTime() - Date.now()) / 1000)
}

test.group('Quotas at accept', () => {
  test('50 concurrent sends against a daily quota of 10 store exactly 10', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await tenantWithQuotas({ dailyQuota: { all: 10 } })

    const replies = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        client
          .post('/api/v1/messages')
          .headers(headers)
          .json(sms(`+1415555${String(index).padStart(4, '0')}`))
      )
    )

    const statuses = replies.map((reply) => reply.status())
    assert.equal(statuses.filter((status) => status === 201).length, 10)
    assert.equal(statuses.filter((status) => status === 429).length, 40)
    const refused = replies.find((reply) => reply.status() === 429)!
    assert.containsSubset(refused.body().errors[0], {
      code: 'E_QUOTA_EXCEEDED',
      quota: { period: 'day', channel: 'all', mode: 'live', limit: 10, used: 10 },
      fits: 0,
    })
    const stored = await storedFor(tenant.id)
    assert.equal(stored.messages, 10)
    const counted = await usage(client, headers)
    assert.equal(counted.day.live.all, 10)
    assert.equal(counted.day.live.sms, 10)
    assert.equal(counted.month.live.all, 10)
  })

  test('over quota: 429 with Retry-After until the UTC day ends, nothing stored', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await tenantWithQuotas({ dailyQuota: { sms: 1 } })
    await post(client, headers, sms())
    const before = await storedFor(tenant.id)

    const refused = await post(client, headers, sms('+14155550101'), 429)

    const { resetsAt } = periodsAt(new Date()).day
    assert.closeTo(Number(refused.header('retry-after')), secondsUntil(resetsAt), 5)
    assert.deepEqual(refused.body().errors[0].quota, {
      period: 'day',
      channel: 'sms',
      mode: 'live',
      limit: 1,
      used: 1,
      resetsAt: resetsAt.toISOString(),
    })
    assert.match(refused.body().errors[0].message, /Daily quota for sms reached: 1 of 1 used/)
    assert.deepEqual(await storedFor(tenant.id), before)
  })

  test('a monthly quota is named as such and resets at the start of the UTC month', async ({
    client,
    assert,
  }) => {
    const { headers } = await tenantWithQuotas({
      dailyQuota: { all: 100 },
      monthlyQuota: { email: 2 },
    })
    await post(client, headers, email('a@example.com'))
    await post(client, headers, email('b@example.com'))

    const refused = await post(client, headers, email('c@example.com'), 429)

    const { resetsAt } = periodsAt(new Date()).month
    assert.containsSubset(refused.body().errors[0], {
      code: 'E_QUOTA_EXCEEDED',
      quota: { period: 'month', channel: 'email', limit: 2, used: 2 },
    })
    assert.closeTo(Number(refused.header('retry-after')), secondsUntil(resetsAt), 5)
    await post(client, headers, sms())
  })

  test('a channel quota caps its channel, `all` caps every channel together', async ({
    client,
    assert,
  }) => {
    const { headers } = await tenantWithQuotas({ dailyQuota: { sms: 1, all: 3 } })
    await post(client, headers, sms())
    const smsRefused = await post(client, headers, sms('+14155550101'), 429)
    await post(client, headers, email('a@example.com'))
    await post(client, headers, email('b@example.com'))
    const emailRefused = await post(client, headers, email('c@example.com'), 429)

    assert.equal(smsRefused.body().errors[0].quota.channel, 'sms')
    assert.equal(emailRefused.body().errors[0].quota.channel, 'all')
    const counted = await usage(client, headers)
    assert.deepEqual(counted.day.quota, { sms: 1, all: 3 })
    assert.deepEqual(counted.day.live, { all: 3, email: 2, sms: 1, push: 0, webhook: 0 })
  })

  test('a stored quota beyond the int range (set by SQL) still counts sends', async ({
    client,
    assert,
  }) => {
    const { headers } = await tenantWithQuotas({ monthlyQuota: { all: 5_000_000_000 } })
    await post(client, headers, sms())
    const counted = await usage(client, headers)
    assert.equal(counted.month.live.all, 1)
  })

  test('a bulk send is taken whole or refused with how many would fit', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await tenantWithQuotas({ dailyQuota: { email: 5 } })
    await post(client, headers, email('first@example.com'))
    await post(client, headers, email('second@example.com'))
    await suppressThroughApi(client, headers, { channel: 'email', recipient: 'gone@example.com' })
    const before = await storedFor(tenant.id)
    const bulk = (names: string[]) =>
      client
        .post('/api/v1/messages/bulk')
        .headers(headers)
        .json({
          channel: 'email',
          subject: 'Hi',
          content: { text: 'hello' },
          recipients: names.map((name) => ({ recipient: `${name}@example.com` })),
        })

    // Four sendable (the suppressed one is not counted, the invalid one rejected) with three left
    const refused = await bulk(['a', 'b', 'c', 'd', 'gone', 'not an address'])

    refused.assertStatus(429)
    assert.containsSubset(refused.body().errors[0], {
      code: 'E_QUOTA_EXCEEDED',
      quota: { period: 'day', channel: 'email', limit: 5, used: 2 },
      fits: 3,
    })
    assert.deepEqual(await storedFor(tenant.id), before)

    const accepted = await bulk(['a', 'b', 'c', 'gone'])
    accepted.assertStatus(201)
    assert.containsSubset(accepted.body(), { queued: 3, suppressed: 1 })
    const counted = await usage(client, headers)
    assert.equal(counted.day.live.email, 5)
  })

  test('an idempotent repeat and a suppressed recipient are not counted', async ({
    client,
    assert,
  }) => {
    const { headers } = await tenantWithQuotas({ dailyQuota: { all: 1 } })
    await suppressThroughApi(client, headers, { channel: 'sms', recipient: '+14155550199' })

    const suppressed = await post(client, headers, sms('+14155550199'))
    const first = await post(client, { ...headers, 'Idempotency-Key': 'once' }, sms())
    const repeat = await post(client, { ...headers, 'Idempotency-Key': 'once' }, sms(), 200)
    await post(client, headers, sms('+14155550101'), 429)

    assert.equal(suppressed.body().status, 'suppressed')
    assert.equal(repeat.body().id, first.body().id)
    const counted = await usage(client, headers)
    assert.equal(counted.day.live.all, 1)
  })

  test('test keys count apart from live keys, against the same quotas', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const { headers: testHeaders } = await createKey(tenant, { scopes: ['send'], kind: 'test' })
    await setQuotas(tenant, { dailyQuota: { all: 1 } })
    await post(client, headers, sms())
    await post(client, testHeaders, sms())
    const testOver = await post(client, testHeaders, sms('+14155550101'), 429)
    const liveOver = await post(client, headers, sms('+14155550101'), 429)

    assert.containsSubset(testOver.body().errors[0].quota, { mode: 'test', used: 1, limit: 1 })
    assert.equal(liveOver.body().errors[0].quota.mode, 'live')
    const counted = await usage(client, headers)
    assert.equal(counted.day.live.all, 1)
    assert.equal(counted.day.test.all, 1)
  })

  test('another tenant is unaffected by a tenant over its quota', async ({ client, assert }) => {
    const capped = await tenantWithQuotas({ dailyQuota: { all: 1 } })
    const other = await createTenant()
    await post(client, capped.headers, sms())
    await post(client, capped.headers, sms(), 429)
    await post(client, other.headers, sms())
    await post(client, other.headers, sms())

    const counted = await usage(client, other.headers)
    assert.isFalse(counted.counting)
    assert.deepEqual(counted.day.live, { all: 0, email: 0, sms: 0, push: 0, webhook: 0 })
    assert.deepEqual(counted.day.quota, {})
  })

  test('GET /api/v1/usage needs the read scope', async ({ client }) => {
    const { tenant } = await createTenant()
    const sendOnly = await Tenant.apiKeys.create(tenant, ['send'], { name: 'send only' })

    const response = await client
      .get('/api/v1/usage')
      .headers({ authorization: `Bearer ${sendOnly.value!.release()}` })

    response.assertStatus(403)
    response.assertBodyContains({ errors: [{ code: 'E_MISSING_SCOPE' }] })
  })
})
