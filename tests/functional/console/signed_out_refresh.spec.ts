import { test } from '@japa/runner'

test.group('Console: a live refresh after the session ended', () => {
  test('an htmx request signed out is told to go to the sign-in page, not given it to swap in', async ({
    client,
    assert,
  }) => {
    const response = await client
      .get('/console/overview/live')
      .header('HX-Request', 'true')
      .redirects(0)

    response.assertStatus(204)
    assert.equal(response.header('hx-redirect'), '/console/login')
  })

  test('the same request without htmx is a plain redirect', async ({ client }) => {
    const response = await client.get('/console/overview/live').redirects(0)

    response.assertStatus(302)
    response.assertHeader('location', '/console/login')
  })
})
