import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import Tenant from '#models/tenant'
import UserToken from '#models/user_token'
import { CONSOLE_MAIL_TENANT_ID } from '#people/console_mail'
import { newToken } from '#people/user_tokens'
import { createConsoleUser } from '#tests/helpers/console_users'
import { createTenant } from '#tests/helpers/tenants'
import { auditRowsFor } from '#tests/helpers/audit'

const uniqueEmail = (label: string) => `${label}-${Date.now()}-${Math.random()}@tenants.test`

async function tenantCount() {
  const { count } = await db.from('tenants').count('* as count').firstOrFail()
  return Number(count)
}

test.group('Console tenants (operators)', () => {
  test('an operator creates a tenant and its admin’s invite; the link is shown once', async ({
    client,
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    const email = uniqueEmail('first-admin')
    const name = `Acme ${Date.now()}`

    const created = await client
      .post('/console/tenants')
      .form({ name: `  ${name} `, email: email.toUpperCase() })
      .withCsrfToken()
      .withGuard('web')
      .loginAs(operator)
      .redirects(0)

    created.assertStatus(302)
    const tenant = await Tenant.findByOrFail('name', name)
    assert.equal(created.header('location'), `/console/tenants/${tenant.id}`)
    assert.equal(tenant.status, 'active')
    const invite = await UserToken.query()
      .where({ tenant_id: tenant.id, kind: 'invite' })
      .firstOrFail()
    assert.equal(invite.email, email)
    assert.equal(invite.role, 'admin')
    const flashed = created.flashMessages()
    const { email: invited, url } = flashed.tenantInvite as { email: string; url: string }
    assert.equal(invited, email)
    assert.match(url, /\/console\/invites\/[^/]+$/)
    const actor = { actor_type: 'user', actor_id: String(operator.id) }
    assert.containSubset(await auditRowsFor('tenant', tenant.id), [
      { ...actor, action: 'tenant.created', tenant_id: tenant.id, after: { name } },
    ])
    assert.containSubset(await auditRowsFor('invite', String(invite.id)), [
      { ...actor, action: 'user.invited' },
    ])

    const next = await client
      .get(`/console/tenants/${tenant.id}`)
      .withFlashMessages(flashed)
      .withGuard('web')
      .loginAs(operator)
    next.assertStatus(200)
    assert.include(next.text(), 'Send this link to the admin; it works once, for 7 days.')
    assert.include(next.text(), `<p class="secret-once" id="invite-url">${url}</p>`)
    assert.include(next.text(), `data-copy="${url}"`)

    const later = await client
      .get(`/console/tenants/${tenant.id}`)
      .withGuard('web')
      .loginAs(operator)
    later.assertStatus(200)
    assert.notInclude(later.text(), url)
    assert.include(later.text(), email)

    // The link is the invite's: it opens the page where the admin chooses a password
    const invitePage = await client.get(new URL(url).pathname)
    invitePage.assertStatus(200)
    assert.include(invitePage.text(), email)
  })

  test('a bad form, or an email that already has an account, goes back with the errors and creates nothing', async ({
    client,
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    const { tenant } = await createTenant()
    const taken = await createConsoleUser('viewer', tenant.id)
    const tenantsBefore = await tenantCount()

    for (const form of [
      { name: '', email: 'not-an-email' },
      { name: 'Taken admin', email: taken.email },
    ]) {
      const response = await client
        .post('/console/tenants')
        .form(form)
        .header('referer', '/console/tenants')
        .withCsrfToken()
        .withGuard('web')
        .loginAs(operator)
        .redirects(0)
      response.assertStatus(302)
      assert.equal(response.header('location'), '/console/tenants')
      const errors = response.flashMessages().inputErrorsBag
      assert.property(errors, 'email')
      if (form.name === '') assert.property(errors, 'name')
    }
    assert.equal(await tenantCount(), tenantsBefore, 'no tenant was created')
  })

  test('the list shows each tenant with its status, people and providers', async ({
    client,
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    const { tenant } = await createTenant(`Listed ${Date.now()}`)
    await createConsoleUser('admin', tenant.id)
    await createConsoleUser('viewer', tenant.id)
    await tenant.merge({ status: 'suspended' }).save()

    const response = await client.get('/console/tenants').withGuard('web').loginAs(operator)

    response.assertStatus(200)
    const html = response.text()
    assert.include(html, '<h1>Tenants</h1>')
    const start = html.indexOf(`<strong>${tenant.name}</strong>`)
    const row = html.slice(start, html.indexOf('</tr>', start))
    assert.include(row, '<span class="badge badge-bad">suspended</span>')
    assert.match(row, /<td>2<\/td>\s*<td>0<\/td>/)
  })

  test('an operator suspends a tenant with a reason and resumes it; both audited as theirs', async ({
    client,
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    const { tenant, headers } = await createTenant('To suspend')
    const asOperator = (path: string) =>
      client.post(path).withCsrfToken().withGuard('web').loginAs(operator).redirects(0)

    const suspended = await asOperator(`/console/tenants/${tenant.id}/suspend`).form({
      reason: 'Unpaid invoice',
    })

    suspended.assertStatus(302)
    assert.equal(suspended.header('location'), `/console/tenants/${tenant.id}`)
    await tenant.refresh()
    assert.equal(tenant.status, 'suspended')
    assert.equal(tenant.suspensionReason, 'Unpaid invoice')
    const refused = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ channel: 'sms', recipient: '+14155550100', content: { text: 'x' } })
    refused.assertStatus(403)
    const page = await client
      .get(`/console/tenants/${tenant.id}`)
      .withGuard('web')
      .loginAs(operator)
    assert.include(page.text(), ': Unpaid invoice.')
    assert.include(page.text(), 'Resume tenant')

    const resumed = await asOperator(`/console/tenants/${tenant.id}/resume`)

    resumed.assertStatus(302)
    await tenant.refresh()
    assert.equal(tenant.status, 'active')
    assert.isNull(tenant.suspensionReason)
    const actor = { actor_type: 'user', actor_id: String(operator.id) }
    assert.containSubset(await auditRowsFor('tenant', tenant.id), [
      {
        ...actor,
        action: 'tenant.suspended',
        after: { status: 'suspended', reason: 'Unpaid invoice' },
      },
      { ...actor, action: 'tenant.resumed', after: { status: 'active' } },
    ])
  })

  test('an unknown tenant is 404', async ({ client }) => {
    const operator = await createConsoleUser('operator')
    const missing = '00000000-0000-4000-8000-000000000000'

    const page = await client.get(`/console/tenants/${missing}`).withGuard('web').loginAs(operator)
    page.assertStatus(404)
    const suspend = await client
      .post(`/console/tenants/${missing}/suspend`)
      .withCsrfToken()
      .withGuard('web')
      .loginAs(operator)
      .redirects(0)
    suspend.assertStatus(404)
  })

  test('a tenant admin gets 403 on every tenants route, and nothing changes', async ({
    client,
    assert,
  }) => {
    const { tenant } = await createTenant('Admin, not operator')
    const admin = await createConsoleUser('admin', tenant.id)
    const tenantsBefore = await tenantCount()

    const answers = await Promise.all([
      client.get('/console/tenants').withGuard('web').loginAs(admin),
      client.get(`/console/tenants/${tenant.id}`).withGuard('web').loginAs(admin),
      client
        .post('/console/tenants')
        .form({ name: 'By an admin', email: uniqueEmail('nope') })
        .withCsrfToken()
        .withGuard('web')
        .loginAs(admin),
      client
        .post(`/console/tenants/${tenant.id}/suspend`)
        .form({ reason: 'x' })
        .withCsrfToken()
        .withGuard('web')
        .loginAs(admin),
      client
        .post(`/console/tenants/${tenant.id}/resume`)
        .withCsrfToken()
        .withGuard('web')
        .loginAs(admin),
    ])

    for (const answer of answers) answer.assertStatus(403)
    await tenant.refresh()
    assert.equal(tenant.status, 'active')
    assert.equal(await tenantCount(), tenantsBefore)
    assert.lengthOf(await auditRowsFor('tenant', tenant.id), 0)
  })

  test('signed out, every tenants route sends to the sign-in page', async ({ client, assert }) => {
    const { tenant } = await createTenant('Signed out')

    for (const path of ['/console/tenants', `/console/tenants/${tenant.id}`]) {
      const response = await client.get(path).redirects(0)
      response.assertStatus(302)
      assert.equal(response.header('location'), '/console/login')
    }
    for (const path of [
      '/console/tenants',
      `/console/tenants/${tenant.id}/suspend`,
      `/console/tenants/${tenant.id}/resume`,
    ]) {
      const response = await client.post(path).withCsrfToken().redirects(0)
      response.assertStatus(302)
      assert.equal(response.header('location'), '/console/login')
    }
    await tenant.refresh()
    assert.equal(tenant.status, 'active')
  })
})

test.group('Console tenants: how the pages read', () => {
  test('times are in UTC and say so, like the message pages', async ({ client, assert }) => {
    const operator = await createConsoleUser('operator')
    const { tenant } = await createTenant(`Timed ${Date.now()}`)
    const admin = await createConsoleUser('admin', tenant.id)
    await db.from('tenants').where('id', tenant.id).update({
      created_at: '2026-01-02T03:04:05Z',
      status: 'suspended',
      suspended_at: '2026-02-03T04:05:06Z',
    })
    await db.from('users').where('id', admin.id).update({ last_sign_in_at: '2026-03-04T05:06:07Z' })
    await UserToken.create({
      kind: 'invite',
      tokenHash: newToken().hash,
      tenantId: tenant.id,
      email: uniqueEmail('invited'),
      role: 'viewer',
      expiresAt: DateTime.fromISO('2099-04-05T06:07:08Z'),
    })

    const page = await client
      .get(`/console/tenants/${tenant.id}`)
      .withGuard('web')
      .loginAs(operator)
    page.assertStatus(200)
    const html = page.text()
    assert.include(html, 'Suspended since 2026-02-03 04:05:06 UTC')
    for (const [iso, text] of [
      ['2026-01-02T03:04:05.000Z', '2026-01-02 03:04:05 UTC'],
      ['2026-03-04T05:06:07.000Z', '2026-03-04 05:06:07 UTC'],
      ['2099-04-05T06:07:08.000Z', '2099-04-05 06:07:08 UTC'],
    ]) {
      assert.include(html, `<time datetime="${iso}">${text}</time>`)
    }

    const list = await client.get('/console/tenants').withGuard('web').loginAs(operator)
    list.assertStatus(200)
    assert.include(
      list.text(),
      '<time datetime="2026-01-02T03:04:05.000Z">2026-01-02 03:04:05 UTC</time>'
    )
  })

  test('the console’s own mail tenant is marked for what it is; another tenant is not', async ({
    client,
    assert,
  }) => {
    const operator = await createConsoleUser('operator')
    // As the first password reset makes it
    await db.rawQuery(
      `INSERT INTO tenants (id, name, status, settings) VALUES (?, 'Switchboard console', 'active', '{}')
       ON CONFLICT (id) DO NOTHING`,
      [CONSOLE_MAIL_TENANT_ID]
    )
    const { tenant } = await createTenant(`Ordinary ${Date.now()}`)

    const response = await client.get('/console/tenants').withGuard('web').loginAs(operator)
    response.assertStatus(200)
    const html = response.text()
    const rowOf = (id: string) => {
      const start = html.lastIndexOf('<tr>', html.indexOf(`/console/tenants/${id}"`))
      return html.slice(start, html.indexOf('</tr>', start))
    }
    assert.include(
      rowOf(CONSOLE_MAIL_TENANT_ID),
      '<span class="badge badge-info">console mail</span>'
    )
    assert.include(rowOf(CONSOLE_MAIL_TENANT_ID), 'password resets are sent from it')
    assert.notInclude(rowOf(tenant.id), 'console mail')

    const page = await client
      .get(`/console/tenants/${CONSOLE_MAIL_TENANT_ID}`)
      .withGuard('web')
      .loginAs(operator)
    page.assertStatus(200)
    assert.include(page.text(), 'password resets are sent from this tenant')
  })
})
