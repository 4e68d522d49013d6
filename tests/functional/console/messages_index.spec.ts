import { randomUUID } from 'node:crypto'
import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import type User from '#models/user'
import { CONSOLE_LOGIN_PATH } from '#console/console_paths'
import { createConsoleUser } from '#tests/helpers/console_users'
import { insertMessageRows } from '#tests/helpers/message_rows'
import { createTenant } from '#tests/helpers/tenants'

function list(client: ApiClient, user: User, query = '') {
  return client.get(`/console/messages${query}`).withGuard('web').loginAs(user)
}

/** The message page links of a list page, in order */
function linkedMessages(html: string) {
  return [...html.matchAll(/href="\/console\/messages\/([0-9a-f-]{36})"><time/g)].map(
    (match) => match[1]
  )
}

test.group('Console: the Messages list', () => {
  test('signed out: 302 to the sign-in page', async ({ client }) => {
    const response = await client.get('/console/messages?recipient=ada').redirects(0)
    response.assertStatus(302)
    response.assertHeader('location', CONSOLE_LOGIN_PATH)
  })

  test('an admin sees their own tenant messages only, newest first, each linking to its page', async ({
    client,
    assert,
  }) => {
    const mine = await createTenant('Acme')
    const theirs = await createTenant('Globex')
    const admin = await createConsoleUser('admin', mine.tenant.id)
    const [newer, older] = await insertMessageRows(mine.tenant.id, [
      { recipient: 'ada@acme.test', status: 'failed', created_at: new Date(Date.now() - 1000) },
      { recipient: 'grace@acme.test', channel: 'sms', created_at: new Date(Date.now() - 60_000) },
    ])
    await insertMessageRows(theirs.tenant.id, [{ recipient: 'hidden@globex.test' }])

    const response = await list(client, admin)
    response.assertStatus(200)
    const html = response.text()
    assert.deepEqual(linkedMessages(html), [newer, older])
    assert.include(html, 'ada@acme.test')
    assert.include(html, 'badge-bad')
    assert.notInclude(html, 'hidden@globex.test')
    // A tenant's people see no tenant column
    assert.notInclude(html, 'All tenants')
  })

  test('the recipient filter narrows the list and the form keeps it', async ({
    client,
    assert,
  }) => {
    const { tenant } = await createTenant()
    const viewer = await createConsoleUser('viewer', tenant.id)
    const [ada] = await insertMessageRows(tenant.id, [
      { recipient: 'Ada.Lovelace@example.com' },
      { recipient: 'grace@example.com' },
    ])

    const response = await list(client, viewer, '?recipient=lovelace')
    response.assertStatus(200)
    assert.deepEqual(linkedMessages(response.text()), [ada])
    assert.include(response.text(), 'value="lovelace"')
    assert.include(response.text(), 'Clear filters')

    const none = await list(client, viewer, '?recipient=nobody')
    assert.deepEqual(linkedMessages(none.text()), [])
    assert.include(none.text(), 'No message matches these filters')
  })

  test('a tenant with no messages is told how to send one', async ({ client, assert }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const response = await list(client, admin)
    response.assertStatus(200)
    assert.include(response.text(), 'No messages yet')
    assert.include(response.text(), '/api/v1/messages')
  })

  test('pages with Older and Newer links that keep the filters', async ({ client, assert }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const ids = await insertMessageRows(
      tenant.id,
      Array.from({ length: 5 }, (_, index) => ({
        status: 'failed',
        created_at: new Date(Date.now() - index * 1000),
      }))
    )

    const first = await list(client, admin, '?status=failed&limit=2')
    assert.deepEqual(linkedMessages(first.text()), ids.slice(0, 2))
    const older = /href="([^"]+)" rel="next"/.exec(first.text())![1].replaceAll('&amp;', '&')
    assert.include(older, 'status=failed')

    const second = await client.get(older).withGuard('web').loginAs(admin)
    assert.deepEqual(linkedMessages(second.text()), ids.slice(2, 4))
    const newer = /href="([^"]+)" rel="prev"/.exec(second.text())![1].replaceAll('&amp;', '&')
    const back = await client.get(newer).withGuard('web').loginAs(admin)
    assert.deepEqual(linkedMessages(back.text()), ids.slice(0, 2))
  })

  test('an operator sees every tenant with its name, or the one picked', async ({
    client,
    assert,
  }) => {
    const acme = await createTenant('Acme Search Ltd')
    const globex = await createTenant('Globex Search Inc')
    const operator = await createConsoleUser('operator')
    // Every tenant's messages are searched: this run's alone have this mark
    const mark = randomUUID()
    const [acmeMessage] = await insertMessageRows(acme.tenant.id, [
      { recipient: `${mark}@acme.test` },
    ])
    const [globexMessage] = await insertMessageRows(globex.tenant.id, [
      { recipient: `${mark}@globex.test` },
    ])

    const all = await list(client, operator, `?recipient=${mark}`)
    all.assertStatus(200)
    assert.sameMembers(linkedMessages(all.text()), [acmeMessage, globexMessage])
    assert.include(all.text(), 'All tenants')
    assert.include(all.text(), '<td>Acme Search Ltd</td>')
    assert.include(all.text(), '<td>Globex Search Inc</td>')

    const picked = await client
      .get(`/console/messages?recipient=${mark}`)
      .withGuard('web')
      .loginAs(operator)
      .withSession({ 'console.tenantId': acme.tenant.id })
    assert.deepEqual(linkedMessages(picked.text()), [acmeMessage])
  })

  test('a filter that does not parse is shown beside its field, not a 500', async ({
    client,
    assert,
  }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    await insertMessageRows(tenant.id, [{}])

    const response = await list(client, admin, '?status=lost&createdFrom=yesterday&cursor=x!')
    response.assertStatus(422)
    const html = response.text()
    assert.match(html, /<p class="field-error" id="filter-error-status">[^<]+<\/p>/)
    assert.match(html, /<p class="field-error" id="filter-error-createdFrom">[^<]+<\/p>/)
    assert.include(html, 'The cursor is not one this API gave out')
    assert.include(html, 'Fix the filters to search')
    assert.deepEqual(linkedMessages(html), [])
  })
})
