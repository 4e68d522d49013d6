import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import env from '#start/env'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'

const baseUrl = `http://${env.get('HOST')}:${env.get('PORT')}`

async function messageCount(tenant: TestTenant) {
  const row = await db
    .from('messages')
    .where('tenant_id', tenant.tenant.id)
    .count('* as count')
    .first()
  return Number(row.count)
}

/** Raw requests, for bodies the API client would not send as they are */
async function post(path: string, body: string, headers: Record<string, string>) {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  })
  return { status: response.status, body: await response.json() }
}

function assertErrorShape(assert: any, body: any, code: string) {
  assert.isArray(body.errors)
  assert.isAbove(body.errors.length, 0)
  for (const error of body.errors) {
    assert.properties(error, ['code', 'message'])
    assert.isString(error.message)
  }
  assert.equal(body.errors[0].code, code)
}

test.group('Invalid input answers 4xx in the error shape and writes nothing', () => {
  test('malformed JSON → 400', async ({ assert }) => {
    const tenant = await createTenant()
    const reply = await post('/api/v1/messages', '{"channel": "email", ', tenant.headers)

    assert.equal(reply.status, 400)
    assertErrorShape(assert, reply.body, 'E_MALFORMED_JSON')
    assert.equal(await messageCount(tenant), 0)
  })

  test('a JSON body that is not an object → 400', async ({ assert }) => {
    const tenant = await createTenant()
    const reply = await post('/api/v1/messages', '"just a string"', tenant.headers)

    assert.equal(reply.status, 400)
    assertErrorShape(assert, reply.body, 'E_MALFORMED_JSON')
  })

  test('validation errors → 422 naming each field: {name}')
    .with([
      { name: 'missing fields', body: {}, fields: ['channel', 'recipient', 'content'] },
      {
        name: 'unknown channel',
        body: { channel: 'pigeon', recipient: 'a@b.co', content: { text: 'x' } },
        fields: ['channel'],
      },
      {
        name: 'email recipient on the email channel',
        body: { channel: 'email', recipient: 'not-an-email', subject: 's', content: { text: 'x' } },
        fields: ['recipient'],
      },
      {
        name: 'E.164 phone on the sms channel',
        body: { channel: 'sms', recipient: '0612345678', content: { text: 'x' } },
        fields: ['recipient'],
      },
      {
        name: 'email needs a subject',
        body: { channel: 'email', recipient: 'a@b.co', content: { text: 'x' } },
        fields: ['content'],
      },
      {
        name: 'wrong types',
        body: { channel: 'email', recipient: 42, subject: ['s'], content: 'text', priority: 'P9' },
        fields: ['recipient', 'subject', 'content', 'priority'],
      },
      {
        name: 'scheduledAt must be ISO 8601',
        body: {
          channel: 'sms',
          recipient: '+14155550100',
          content: { text: 'x' },
          scheduledAt: 'next tuesday',
        },
        fields: ['scheduledAt'],
      },
    ])
    .run(async ({ client, assert }, { body, fields }) => {
      const tenant = await createTenant()
      const response = await client.post('/api/v1/messages').headers(tenant.headers).json(body)

      response.assertStatus(422)
      assertErrorShape(assert, response.body(), 'E_VALIDATION')
      const reported = response.body().errors.map((error: { field: string }) => error.field)
      for (const field of fields) {
        assert.include(reported, field)
      }
      assert.equal(await messageCount(tenant), 0)
    })

  test('no API key → 401', async ({ client, assert }) => {
    const response = await client
      .post('/api/v1/messages')
      .json({ channel: 'sms', recipient: '+14155550100', content: { text: 'x' } })
    response.assertStatus(401)
    assertErrorShape(assert, response.body(), 'E_UNAUTHORIZED')
  })

  test('an invalid or revoked API key → 401', async ({ client, assert }) => {
    const tenant = await createTenant()
    const [key] = await db.from('api_keys').where('tokenable_id', tenant.tenant.id)
    await db.from('api_keys').where('id', key.id).delete()

    for (const bearer of ['sb_nonsense', tenant.apiKey]) {
      const response = await client
        .post('/api/v1/messages')
        .bearerToken(bearer)
        .json({ channel: 'sms', recipient: '+14155550100', content: { text: 'x' } })
      response.assertStatus(401)
      assertErrorShape(assert, response.body(), 'E_UNAUTHORIZED')
    }
    assert.equal(await messageCount(tenant), 0)
  })

  test('a body over the limit → 413', async ({ assert }) => {
    const tenant = await createTenant()
    const huge = JSON.stringify({
      channel: 'email',
      recipient: 'a@b.co',
      subject: 's',
      content: { text: 'x'.repeat(6 * 1024 * 1024) },
    })
    const reply = await post('/api/v1/messages', huge, tenant.headers)

    assert.equal(reply.status, 413)
    assertErrorShape(assert, reply.body, 'E_PAYLOAD_TOO_LARGE')
    assert.equal(await messageCount(tenant), 0)
  })

  test('text PostgreSQL cannot store ({name}) → 400')
    .with([
      { name: 'a NUL character', text: String.raw`"\u0000"` },
      { name: 'an unpaired surrogate', text: String.raw`"\ud800"` },
    ])
    .run(async ({ assert }, { text }) => {
      const tenant = await createTenant()
      const body = `{"channel":"email","recipient":"a@b.co","subject":"s","content":{"text":"x"},"metadata":{"note":${text}}}`
      const single = await post('/api/v1/messages', body, tenant.headers)
      const bulk = await post(
        '/api/v1/messages/bulk',
        `{"channel":"email","subject":"s","content":{"text":"x"},"metadata":{"note":${text}},"recipients":[{"recipient":"a@b.co"}]}`,
        tenant.headers
      )

      for (const reply of [single, bulk]) {
        assert.equal(reply.status, 400)
        assertErrorShape(assert, reply.body, 'E_BAD_REQUEST')
      }
      assert.equal(await messageCount(tenant), 0)
    })

  test('a bulk request over the recipient limit → 422', async ({ client, assert }) => {
    const tenant = await createTenant()
    const recipients = Array.from({ length: env.get('BULK_MAX_RECIPIENTS') + 1 }, (_, index) => ({
      recipient: `user${index}@example.com`,
    }))
    const response = await client
      .post('/api/v1/messages/bulk')
      .headers(tenant.headers)
      .json({ channel: 'email', subject: 's', content: { text: 'x' }, recipients })

    response.assertStatus(422)
    assert.include(
      response.body().errors.map((error: { field: string }) => error.field),
      'recipients'
    )
    assert.equal(await messageCount(tenant), 0)
  })

  test('an unknown route → 404 in the same shape', async ({ client, assert }) => {
    const tenant = await createTenant()
    const response = await client.get('/api/v1/nothing-here').headers(tenant.headers)
    response.assertStatus(404)
    assertErrorShape(assert, response.body(), 'E_NOT_FOUND')
  })
})
