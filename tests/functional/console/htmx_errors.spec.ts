import { test } from '@japa/runner'
import type { ApiRequest, ApiResponse } from '@japa/api-client'
import type User from '#models/user'
import { createConsoleUser } from '#tests/helpers/console_users'
import { createProvider } from '#tests/helpers/providers'
import { createTenant } from '#tests/helpers/tenants'

/** As htmx sends it from the providers page: signed in, the header htmx adds, no redirect followed */
function fromHtmx(request: ApiRequest, user: User) {
  return request
    .withGuard('web')
    .loginAs(user)
    .header('HX-Request', 'true')
    .header('referer', '/console/providers')
    .redirects(0)
}

/** The answer is a notice for the slot, not a page nor a redirect to one */
function assertNotice(response: ApiResponse, assert: { [key: string]: any }) {
  assert.isUndefined(response.header('location'))
  const html = response.text().trim()
  assert.match(html, /^<p class="notice notice-error" role="alert">[^<]+<\/p>$/)
  return html
}

async function tenantWithProvider(client: Parameters<typeof createProvider>[0]) {
  const { tenant, headers } = await createTenant('htmx errors')
  const providerId = await createProvider(client, headers, {
    type: 'log',
    channel: 'email',
    name: 'Log',
    config: {},
  })
  return { admin: await createConsoleUser('admin', tenant.id), providerId }
}

test.group('Console errors answering htmx (Test connection’s result slot)', () => {
  test('a refused change answers its status with a notice, never a redirect to the page', async ({
    client,
    assert,
  }) => {
    const { admin, providerId } = await tenantWithProvider(client)
    const path = `/console/providers/${providerId}/move`

    const response = await fromHtmx(client.post(path), admin)
      .withCsrfToken()
      .form({ direction: 'sideways' })
    response.assertStatus(422)
    assertNotice(response, assert)

    // Without htmx, the form still goes back with the error beside the field
    const plain = await client
      .post(path)
      .withGuard('web')
      .loginAs(admin)
      .withCsrfToken()
      .header('referer', '/console/providers')
      .redirects(0)
      .form({ direction: 'sideways' })
    plain.assertStatus(302)
    plain.assertHeader('location', '/console/providers')
  })

  test('Test connection on a provider the person cannot see: a 404 notice, not the error page', async ({
    client,
    assert,
  }) => {
    const theirs = await tenantWithProvider(client)
    const { admin } = await tenantWithProvider(client)

    const response = await fromHtmx(
      client.post(`/console/providers/${theirs.providerId}/test`),
      admin
    ).withCsrfToken()
    response.assertStatus(404)
    assertNotice(response, assert)
  })

  test('an expired form: a 403 notice that says so', async ({ client, assert }) => {
    const { admin, providerId } = await tenantWithProvider(client)

    const response = await fromHtmx(client.post(`/console/providers/${providerId}/test`), admin)
    response.assertStatus(403)
    assert.include(assertNotice(response, assert), 'This form has expired')
  })

  test('the Test connection form asks console.js to show such a notice in its slot', async ({
    client,
    assert,
  }) => {
    const { admin, providerId } = await tenantWithProvider(client)

    const page = await client.get('/console/providers').withGuard('web').loginAs(admin)
    page.assertStatus(200)
    const form = new RegExp(
      `<form[^>]*hx-post="/console/providers/${providerId}/test"[^>]*data-swap-errors[^>]*>`
    )
    assert.match(page.text(), form)
  })
})
