import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import { createTemplate, welcomeEmail } from '#tests/helpers/templates'

async function templateCount(tenant: TestTenant) {
  const row = await db
    .from('message_templates')
    .where('tenant_id', tenant.tenant.id)
    .count('* as count')
    .first()
  return Number(row.count)
}

test.group('Templates API', () => {
  test('POST creates version 1 and completes the required variables', async ({
    client,
    assert,
  }) => {
    const tenant = await createTenant()
    const response = await client
      .post('/api/v1/templates')
      .headers(tenant.headers)
      .json({ ...welcomeEmail, locale: 'pt-BR', requiredVariables: ['coupon'] })

    response.assertStatus(201)
    const body = response.body()
    assert.containsSubset(body, {
      name: 'welcome',
      channel: 'email',
      locale: 'pt-BR',
      version: 1,
      active: true,
      subject: welcomeEmail.subject,
      html: welcomeEmail.html,
      text: welcomeEmail.text,
      requiredVariables: ['coupon', 'name', 'plan'],
    })
    const row = await db.from('message_templates').where('id', body.id).firstOrFail()
    assert.equal(row.tenant_id, tenant.tenant.id)
    assert.deepEqual(row.required_variables, ['coupon', 'name', 'plan'])
  })

  test('the same name, channel and locale twice is a 409', async ({ client, assert }) => {
    const tenant = await createTenant()
    await createTemplate(client, tenant)
    const again = await client.post('/api/v1/templates').headers(tenant.headers).json(welcomeEmail)

    again.assertStatus(409)
    assert.equal(again.body().errors[0].code, 'E_TEMPLATE_EXISTS')
    const otherLocale = await client
      .post('/api/v1/templates')
      .headers(tenant.headers)
      .json({ ...welcomeEmail, locale: 'fr' })
    otherLocale.assertStatus(201)
    assert.equal(await templateCount(tenant), 2)
  })

  test('PUT adds a version as a new row and leaves the old one as it was', async ({
    client,
    assert,
  }) => {
    const tenant = await createTenant()
    const first = await createTemplate(client, tenant)
    const second = await client
      .put(`/api/v1/templates/${first.id}`)
      .headers(tenant.headers)
      .json({ subject: 'Hi {{ name }}', text: 'Welcome aboard, {{ name }}' })

    second.assertStatus(201)
    assert.notEqual(second.body().id, first.id)
    assert.containsSubset(second.body(), {
      name: 'welcome',
      channel: 'email',
      locale: 'en',
      version: 2,
      html: null,
      requiredVariables: ['name'],
    })

    // A PUT to an older version still numbers after the newest
    const third = await client
      .put(`/api/v1/templates/${first.id}`)
      .headers(tenant.headers)
      .json({ subject: 'Hey', text: 'Hey {{ name }}' })
    assert.equal(third.body().version, 3)

    const original = await client.get(`/api/v1/templates/${first.id}`).headers(tenant.headers)
    original.assertStatus(200)
    assert.containsSubset(original.body(), {
      version: 1,
      subject: welcomeEmail.subject,
      html: welcomeEmail.html,
    })
  })

  test('concurrent updates each get their own version number', async ({ client, assert }) => {
    const tenant = await createTenant()
    const first = await createTemplate(client, tenant)
    const updates = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        client
          .put(`/api/v1/templates/${first.id}`)
          .headers(tenant.headers)
          .json({ subject: `Update ${n}`, text: 'x' })
      )
    )

    updates.forEach((update) => update.assertStatus(201))
    assert.sameMembers(
      updates.map((update) => update.body().version),
      [2, 3, 4, 5]
    )
  })

  test('GET lists every version, filtered by channel and name', async ({ client, assert }) => {
    const tenant = await createTenant()
    const other = await createTenant()
    const welcome = await createTemplate(client, tenant)
    await client
      .put(`/api/v1/templates/${welcome.id}`)
      .headers(tenant.headers)
      .json({ subject: 'v2', text: 'v2' })
    await createTemplate(client, tenant, { name: 'code', channel: 'sms', text: 'Code {{ code }}' })
    await createTemplate(client, other)

    const all = await client.get('/api/v1/templates').headers(tenant.headers)
    all.assertStatus(200)
    assert.deepEqual(
      all.body().data.map((row: any) => [row.name, row.version]),
      [
        ['code', 1],
        ['welcome', 2],
        ['welcome', 1],
      ]
    )
    assert.equal(all.body().meta.total, 3)

    const sms = await client.get('/api/v1/templates').qs({ channel: 'sms' }).headers(tenant.headers)
    assert.deepEqual(
      sms.body().data.map((row: any) => row.name),
      ['code']
    )
    const named = await client
      .get('/api/v1/templates')
      .qs({ name: 'welcome', perPage: 1 })
      .headers(tenant.headers)
    assert.deepEqual(
      named.body().data.map((row: any) => row.version),
      [2]
    )
    assert.equal(named.body().meta.total, 2)

    const badFilter = await client
      .get('/api/v1/templates')
      .qs({ channel: 'pigeon' })
      .headers(tenant.headers)
    badFilter.assertStatus(422)
    assert.equal(badFilter.body().errors[0].field, 'channel')
  })

  test("another tenant's template answers 404 to read, update and preview", async ({
    client,
    assert,
  }) => {
    const owner = await createTenant('owner')
    const stranger = await createTenant('stranger')
    const template = await createTemplate(client, owner)

    const read = await client.get(`/api/v1/templates/${template.id}`).headers(stranger.headers)
    read.assertStatus(404)
    assert.equal(read.body().errors[0].code, 'E_NOT_FOUND')
    const update = await client
      .put(`/api/v1/templates/${template.id}`)
      .headers(stranger.headers)
      .json({ subject: 'Mine now', text: 'x' })
    update.assertStatus(404)
    const preview = await client
      .post(`/api/v1/templates/${template.id}/preview`)
      .headers(stranger.headers)
      .json({ variables: { name: 'x', plan: 'y' } })
    preview.assertStatus(404)

    assert.equal(await templateCount(owner), 1)
    assert.equal(await templateCount(stranger), 0)
    const notUuid = await client.get('/api/v1/templates/welcome').headers(owner.headers)
    notUuid.assertStatus(404)
  })

  test('an invalid template is a 422 naming the field and stores nothing: {name}')
    .with([
      {
        name: 'html syntax error',
        body: { ...welcomeEmail, html: '<p>{% if name %}Hi</p>' },
        field: 'html',
      },
      {
        name: 'subject syntax error',
        body: { ...welcomeEmail, subject: 'Hi {{ name ' },
        field: 'subject',
      },
      {
        name: 'unknown filter',
        body: { ...welcomeEmail, text: '{{ name | shout }}' },
        field: 'text',
      },
      {
        name: 'include refused',
        body: { ...welcomeEmail, html: '{% include "secrets" %}' },
        field: 'html',
      },
      {
        name: 'email without a subject',
        body: { ...welcomeEmail, subject: undefined },
        field: 'subject',
      },
      {
        name: 'sms without text',
        body: { name: 'code', channel: 'sms', subject: 'x' },
        field: 'text',
      },
      {
        name: 'html on sms',
        body: { name: 'code', channel: 'sms', text: 'x', html: '<p>x</p>' },
        field: 'html',
      },
      { name: 'unknown channel', body: { ...welcomeEmail, channel: 'pigeon' }, field: 'channel' },
      { name: 'bad locale', body: { ...welcomeEmail, locale: 'English' }, field: 'locale' },
      {
        name: 'bad required variable',
        body: { ...welcomeEmail, requiredVariables: ['user.name'] },
        field: 'requiredVariables.0',
      },
    ])
    .run(async ({ client, assert }, { body, field }) => {
      const tenant = await createTenant()
      const response = await client.post('/api/v1/templates').headers(tenant.headers).json(body)

      response.assertStatus(422)
      const error = response.body().errors[0]
      assert.equal(error.code, 'E_VALIDATION')
      assert.equal(error.field, field)
      assert.isString(error.message)
      assert.equal(await templateCount(tenant), 0)
    })

  test('a new version with a syntax error is a 422 and adds nothing', async ({
    client,
    assert,
  }) => {
    const tenant = await createTenant()
    const template = await createTemplate(client, tenant)
    const response = await client
      .put(`/api/v1/templates/${template.id}`)
      .headers(tenant.headers)
      .json({ subject: 'Hi', text: '{% for x in list %}' })

    response.assertStatus(422)
    assert.equal(response.body().errors[0].field, 'text')
    assert.equal(await templateCount(tenant), 1)
  })
})
