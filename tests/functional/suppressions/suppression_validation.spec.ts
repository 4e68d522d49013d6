import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'
import { suppressThroughApi } from '#tests/helpers/suppressions'

async function entriesOf(tenantId: string) {
  const row = await db.from('suppressions').where('tenant_id', tenantId).count('* as count').first()
  return Number(row.count)
}

test.group('Invalid suppression requests answer 422 in the error shape and write nothing', () => {
  test('{name}')
    .with([
      { name: 'missing fields', body: {}, fields: ['channel', 'recipient'] },
      {
        name: 'an unknown channel',
        body: { channel: 'pigeon', recipient: 'a@b.co' },
        fields: ['channel'],
      },
      {
        name: 'an email address on the email channel',
        body: { channel: 'email', recipient: 'not-an-email' },
        fields: ['recipient'],
      },
      {
        name: 'an E.164 phone on the sms channel',
        body: { channel: 'sms', recipient: '0612345678' },
        fields: ['recipient'],
      },
      {
        name: 'an unknown reason',
        body: { channel: 'email', recipient: 'a@b.co', reason: 'annoying' },
        fields: ['reason'],
      },
      {
        name: 'expiresAt that is not ISO 8601',
        body: { channel: 'email', recipient: 'a@b.co', expiresAt: 'next week' },
        fields: ['expiresAt'],
      },
      {
        name: 'expiresAt in the past',
        body: { channel: 'email', recipient: 'a@b.co', expiresAt: '2020-01-01T00:00:00Z' },
        fields: ['expiresAt'],
      },
      {
        name: 'details that are not an object',
        body: { channel: 'email', recipient: 'a@b.co', details: 'see ticket' },
        fields: ['details'],
      },
    ])
    .run(async ({ client, assert }, { body, fields }) => {
      const { headers, tenant } = await createTenant()
      const response = await suppressThroughApi(client, headers, body)

      response.assertStatus(422)
      const errors = response.body().errors as Array<Record<string, unknown>>
      for (const error of errors) {
        assert.equal(error.code, 'E_VALIDATION')
        assert.isString(error.message)
      }
      assert.includeMembers(
        errors.map((error) => error.field),
        fields
      )
      assert.equal(await entriesOf(tenant.id), 0)
    })

  test('list filters are validated too: {name}')
    .with([
      { name: 'perPage over 100', qs: { perPage: 101 }, field: 'perPage' },
      { name: 'page 0', qs: { page: 0 }, field: 'page' },
      { name: 'an unknown reason', qs: { reason: 'annoying' }, field: 'reason' },
      { name: 'an unknown channel', qs: { channel: 'pigeon' }, field: 'channel' },
    ])
    .run(async ({ client, assert }, { qs, field }) => {
      const { headers } = await createTenant()
      const response = await client.get('/api/v1/suppressions').qs(qs).headers(headers)
      response.assertStatus(422)
      assert.equal(response.body().errors[0].code, 'E_VALIDATION')
      assert.equal(response.body().errors[0].field, field)
    })

  test('no API key → 401', async ({ client }) => {
    const response = await client.get('/api/v1/suppressions')
    response.assertStatus(401)
  })
})
