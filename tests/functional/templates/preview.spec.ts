import { test } from '@japa/runner'
import { createTenant } from '#tests/helpers/tenants'
import { createTemplate } from '#tests/helpers/templates'

test.group('POST /api/v1/templates/:id/preview', () => {
  test('renders the version with the given variables, html escaped', async ({ client, assert }) => {
    const tenant = await createTenant()
    const template = await createTemplate(client, tenant)
    const response = await client
      .post(`/api/v1/templates/${template.id}/preview`)
      .headers(tenant.headers)
      .json({ variables: { name: 'Ada <Lovelace>', plan: 'pro' } })

    response.assertStatus(200)
    assert.deepEqual(response.body(), {
      subject: 'Welcome, Ada <Lovelace>',
      html: '<p>Hello Ada &lt;Lovelace&gt;, your plan is PRO</p>',
      text: 'Hello Ada <Lovelace>, your plan is pro',
    })
  })

  test('a missing variable is a 422 naming it', async ({ client, assert }) => {
    const tenant = await createTenant()
    const template = await createTemplate(client, tenant)
    const response = await client
      .post(`/api/v1/templates/${template.id}/preview`)
      .headers(tenant.headers)
      .json({ variables: { name: 'Ada' } })

    response.assertStatus(422)
    assert.deepEqual(response.body().errors, [
      {
        code: 'E_VALIDATION',
        message: 'The template needs the variable "plan"',
        field: 'variables.plan',
        rule: 'templateVariable',
      },
    ])
  })

  test('a property the variables lack, prototype ones included, is a 422', async ({
    client,
    assert,
  }) => {
    const tenant = await createTenant()
    const template = await createTemplate(client, tenant, {
      name: 'probe',
      channel: 'sms',
      text: '{{ user.name }} {{ user.constructor.name }}',
    })
    const response = await client
      .post(`/api/v1/templates/${template.id}/preview`)
      .headers(tenant.headers)
      .json({ variables: { user: { name: 'Ada' } } })

    response.assertStatus(422)
    assert.equal(response.body().errors[0].field, 'variables.user.constructor')
  })
})
