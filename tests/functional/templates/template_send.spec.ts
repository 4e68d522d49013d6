import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import { createTemplate } from '#tests/helpers/templates'

async function messageCount(tenant: TestTenant) {
  const row = await db
    .from('messages')
    .where('tenant_id', tenant.tenant.id)
    .count('* as count')
    .first()
  return Number(row.count)
}

function templated(templateId: string, variables: Record<string, unknown>) {
  return {
    channel: 'email',
    recipient: 'ada@example.com',
    content: { templateId, variables },
  }
}

test.group('Sending with a template', () => {
  test('stores the rendered subject, html (escaped) and text (raw) with the version used', async ({
    client,
    assert,
  }) => {
    const tenant = await createTenant()
    const template = await createTemplate(client, tenant)
    const response = await client
      .post('/api/v1/messages')
      .headers(tenant.headers)
      .json(templated(template.id, { name: 'Ada & <Bob>\r\nBcc: eve@example.com', plan: 'pro' }))

    response.assertStatus(201)
    const row = await db.from('messages').where('id', response.body().id).firstOrFail()
    assert.equal(row.subject, 'Welcome, Ada & <Bob> Bcc: eve@example.com')
    assert.containsSubset(row.content, {
      templateId: template.id,
      templateVersion: 1,
      locale: 'en',
      html: '<p>Hello Ada &amp; &lt;Bob&gt;\r\nBcc: eve@example.com, your plan is PRO</p>',
      text: 'Hello Ada & <Bob>\r\nBcc: eve@example.com, your plan is pro',
      variables: { name: 'Ada & <Bob>\r\nBcc: eve@example.com', plan: 'pro' },
    })
    const job = await new MessageQueues().queue(Priority.P4).getJob(response.body().id)
    assert.deepEqual(job?.data, { messageId: response.body().id })
  })

  test('a missing variable is a 422 naming it, and nothing is stored', async ({
    client,
    assert,
  }) => {
    const tenant = await createTenant()
    const template = await createTemplate(client, tenant)
    const response = await client
      .post('/api/v1/messages')
      .headers(tenant.headers)
      .json(templated(template.id, { name: 'Ada' }))

    response.assertStatus(422)
    assert.containsSubset(response.body().errors, [
      { code: 'E_VALIDATION', field: 'content.variables.plan' },
    ])
    assert.equal(await messageCount(tenant), 0)
  })

  test('sends with the newest version; earlier messages keep what they were sent with', async ({
    client,
    assert,
  }) => {
    const tenant = await createTenant()
    const first = await createTemplate(client, tenant)
    const variables = { name: 'Ada', plan: 'pro' }
    const before = await client
      .post('/api/v1/messages')
      .headers(tenant.headers)
      .json(templated(first.id, variables))
    const second = await client
      .put(`/api/v1/templates/${first.id}`)
      .headers(tenant.headers)
      .json({ subject: 'Still here, {{ name }}?', text: 'Version two' })
    const after = await client
      .post('/api/v1/messages')
      .headers(tenant.headers)
      .json(templated(first.id, variables))

    after.assertStatus(201)
    assert.equal(after.body().subject, 'Still here, Ada?')
    assert.containsSubset(after.body().content, {
      templateId: second.body().id,
      templateVersion: 2,
      text: 'Version two',
    })
    assert.notProperty(after.body().content, 'html')

    const earlier = await db.from('messages').where('id', before.body().id).firstOrFail()
    assert.equal(earlier.subject, 'Welcome, Ada')
    assert.equal(earlier.content.templateVersion, 1)
    assert.equal(earlier.content.text, 'Hello Ada, your plan is pro')
  })

  test('content.locale picks the template in that locale', async ({ client, assert }) => {
    const tenant = await createTenant()
    const english = await createTemplate(client, tenant)
    const french = await createTemplate(client, tenant, {
      name: 'welcome',
      channel: 'email',
      locale: 'fr',
      subject: 'Bienvenue, {{ name }}',
      text: 'Bonjour {{ name }}',
    })
    const message = templated(english.id, { name: 'Ada' })

    const response = await client
      .post('/api/v1/messages')
      .headers(tenant.headers)
      .json({ ...message, content: { ...message.content, locale: 'fr' } })
    response.assertStatus(201)
    assert.equal(response.body().subject, 'Bienvenue, Ada')
    assert.containsSubset(response.body().content, { templateId: french.id, locale: 'fr' })

    const missing = await client
      .post('/api/v1/messages')
      .headers(tenant.headers)
      .json({ ...message, content: { ...message.content, locale: 'de' } })
    missing.assertStatus(422)
    assert.equal(missing.body().errors[0].field, 'content.locale')
    assert.equal(await messageCount(tenant), 1)
  })

  test("another tenant's template cannot be used", async ({ client, assert }) => {
    const owner = await createTenant('owner')
    const stranger = await createTenant('stranger')
    const template = await createTemplate(client, owner)
    const variables = { name: 'Ada', plan: 'pro' }

    const single = await client
      .post('/api/v1/messages')
      .headers(stranger.headers)
      .json(templated(template.id, variables))
    single.assertStatus(422)
    assert.equal(single.body().errors[0].field, 'content.templateId')

    const bulk = await client
      .post('/api/v1/messages/bulk')
      .headers(stranger.headers)
      .json({
        channel: 'email',
        content: { templateId: template.id, variables },
        recipients: [{ recipient: 'ada@example.com' }],
      })
    bulk.assertStatus(422)
    assert.equal(bulk.body().errors[0].field, 'content.templateId')
    assert.equal(await messageCount(stranger), 0)
  })

  test('the template must be for the message channel', async ({ client, assert }) => {
    const tenant = await createTenant()
    const sms = await createTemplate(client, tenant, {
      name: 'code',
      channel: 'sms',
      text: 'Code {{ code }}',
    })
    const response = await client
      .post('/api/v1/messages')
      .headers(tenant.headers)
      .json(templated(sms.id, { code: '1234' }))

    response.assertStatus(422)
    assert.include(response.body().errors[0].message, 'sms channel')
    assert.equal(await messageCount(tenant), 0)
  })

  test('a template replaces subject and content text and html', async ({ client, assert }) => {
    const tenant = await createTenant()
    const template = await createTemplate(client, tenant)
    const message = templated(template.id, { name: 'Ada', plan: 'pro' })
    const response = await client
      .post('/api/v1/messages')
      .headers(tenant.headers)
      .json({ ...message, subject: 'Mine', content: { ...message.content, text: 'Mine' } })

    response.assertStatus(422)
    assert.equal(response.body().errors[0].field, 'content')
    assert.equal(await messageCount(tenant), 0)
  })

  test('a rendered SMS over the length limit is refused', async ({ client, assert }) => {
    const tenant = await createTenant()
    const template = await createTemplate(client, tenant, {
      name: 'code',
      channel: 'sms',
      text: 'Code {{ code }}',
    })
    const response = await client
      .post('/api/v1/messages')
      .headers(tenant.headers)
      .json({
        channel: 'sms',
        recipient: '+14155550100',
        content: { templateId: template.id, variables: { code: 'x'.repeat(2000) } },
      })

    response.assertStatus(422)
    assert.equal(response.body().errors[0].field, 'content.text')
    assert.equal(await messageCount(tenant), 0)
  })

  test('bulk renders per recipient and rejects a recipient missing a variable', async ({
    client,
    assert,
  }) => {
    const tenant = await createTenant()
    const template = await createTemplate(client, tenant)
    const response = await client
      .post('/api/v1/messages/bulk')
      .headers(tenant.headers)
      .json({
        channel: 'email',
        content: { templateId: template.id, variables: { plan: 'team' } },
        recipients: [
          { recipient: 'ada@example.com', variables: { name: 'Ada' } },
          { recipient: 'bob@example.com' },
          { recipient: 'cy@example.com', variables: { name: '<Cy>', plan: 'solo' } },
        ],
      })

    response.assertStatus(201)
    const body = response.body()
    assert.containsSubset(body, { total: 3, queued: 2, rejected: 1 })
    assert.deepEqual(body.rejections, [
      { index: 1, recipient: 'bob@example.com', reason: 'The template needs the variable "name"' },
    ])

    const rows = await db
      .from('messages')
      .where('tenant_id', tenant.tenant.id)
      .orderBy('recipient')
      .select('recipient', 'subject', 'content')
    assert.deepEqual(
      rows.map((row) => [row.recipient, row.subject, row.content.html, row.content.text]),
      [
        [
          'ada@example.com',
          'Welcome, Ada',
          '<p>Hello Ada, your plan is TEAM</p>',
          'Hello Ada, your plan is team',
        ],
        [
          'cy@example.com',
          'Welcome, <Cy>',
          '<p>Hello &lt;Cy&gt;, your plan is SOLO</p>',
          'Hello <Cy>, your plan is solo',
        ],
      ]
    )
    assert.isTrue(rows.every((row) => row.content.templateId === template.id))
  })
})
