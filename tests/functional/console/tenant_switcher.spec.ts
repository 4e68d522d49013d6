import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiRequest } from '@japa/api-client'
import type User from '#models/user'
import { createConsoleUser } from '#tests/helpers/console_users'
import { createTenant } from '#tests/helpers/tenants'

/** The statements this process sends PostgreSQL while `work` runs (the test server shares its pool) */
async function statementsDuring(work: () => Promise<unknown>) {
  const knex = db.connection().getWriteClient()
  const statements: string[] = []
  const seen = (query: { sql: string }) => statements.push(query.sql)
  knex.on('query', seen)
  try {
    await work()
  } finally {
    knex.off('query', seen)
  }
  return statements
}

/** The switcher's list of tenants, as TenantDirectory.names() asks for it */
const isSwitcherQuery = (sql: string) => /^select "id", "name" from "tenants"/.test(sql)

function switchTo(request: ApiRequest, operator: User, tenantId: string) {
  return request
    .withGuard('web')
    .loginAs(operator)
    .withCsrfToken()
    .header('referer', '/console/messages')
    .redirects(0)
    .form({ tenantId })
}

test.group('Console: the operator’s tenant switcher', () => {
  test('a page lists the tenants to switch to; an htmx refresh (no header) does not ask for them', async ({
    client,
    assert,
  }) => {
    const { tenant } = await createTenant('Switcher listed')
    const operator = await createConsoleUser('operator')

    let html = ''
    const forPage = await statementsDuring(async () => {
      const page = await client.get('/console').withGuard('web').loginAs(operator)
      page.assertStatus(200)
      html = page.text()
    })
    assert.isTrue(forPage.some(isSwitcherQuery))
    assert.include(html, `<option value="${tenant.id}" >Switcher listed</option>`)

    const forRefresh = await statementsDuring(async () => {
      const live = await client
        .get('/console/overview/live')
        .withGuard('web')
        .loginAs(operator)
        .header('HX-Request', 'true')
      live.assertStatus(200)
    })
    assert.isFalse(forRefresh.some(isSwitcherQuery))
  })

  test('switching to a tenant keeps it for the session; to an unknown one is a 404', async ({
    client,
    assert,
  }) => {
    const { tenant } = await createTenant('Switched to')
    const operator = await createConsoleUser('operator')

    const switched = await switchTo(client.post('/console/tenant'), operator, tenant.id)
    switched.assertStatus(302)
    switched.assertHeader('location', '/console/messages')
    assert.equal(switched.session('console.tenantId'), tenant.id)

    const unknown = await switchTo(client.post('/console/tenant'), operator, randomUUID())
    unknown.assertStatus(404)
    assert.isUndefined(unknown.session('console.tenantId'))
  })
})
