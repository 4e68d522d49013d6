import { test } from '@japa/runner'
import { createConsoleUser } from '#tests/helpers/console_users'
import { createTenant } from '#tests/helpers/tenants'

test.group('Console: ids that cannot exist', () => {
  test('{$self} answers 404, not a database error')
    .with([
      '/console/tenants/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
      '/console/messages/gggggggg-0000-0000-0000-000000000000',
      '/console/providers/not-a-uuid/edit',
    ])
    .run(async ({ client }, path) => {
      const operator = await createConsoleUser('operator')
      const response = await client.get(path).withGuard('web').loginAs(operator).redirects(0)

      response.assertStatus(404)
    })

  test('a user id past bigint is a 404 for a change too', async ({ client }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const response = await client
      .delete('/console/users/100000000000000000000')
      .withGuard('web')
      .loginAs(admin)
      .withCsrfToken()
      .redirects(0)

    response.assertStatus(404)
  })

  test('signed-in pages are never cached', async ({ client }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const response = await client.get('/console/account').withGuard('web').loginAs(admin)

    response.assertStatus(200)
    response.assertHeader('cache-control', 'no-store')
  })
})
