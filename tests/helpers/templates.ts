import type { ApiClient } from '@japa/api-client'
import type { TestTenant } from '#tests/helpers/tenants'

export const welcomeEmail = {
  name: 'welcome',
  channel: 'email',
  subject: 'Welcome, {{ name }}',
  html: '<p>Hello {{ name }}, your plan is {{ plan | upcase }}</p>',
  text: 'Hello {{ name }}, your plan is {{ plan }}',
}

/** A template created through the API; returns its first version as the API shows it. */
export async function createTemplate(
  client: ApiClient,
  tenant: TestTenant,
  template: Record<string, unknown> = welcomeEmail
) {
  const response = await client.post('/api/v1/templates').headers(tenant.headers).json(template)
  response.assertStatus(201)
  return response.body()
}
