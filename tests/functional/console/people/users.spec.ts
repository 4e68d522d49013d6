import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import User from '#models/user'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { auditRowsFor } from '#tests/helpers/audit'
import { ConsoleAgent } from '#tests/helpers/console_agent'

/** A signed-in browser for this user (who has no two-factor) */
async function signedIn(user: User) {
  const agent = new ConsoleAgent()
  await agent.signIn(user.email, CONSOLE_TEST_PASSWORD)
  return agent
}

/** A tenant with an admin (signed in), an agent and a viewer */
async function team(name: string) {
  const { tenant } = await createTenant(name)
  const admin = await createConsoleUser('admin', tenant.id)
  const member = await createConsoleUser('agent', tenant.id)
  const viewer = await createConsoleUser('viewer', tenant.id)
  return { tenant, admin, member, viewer, agent: await signedIn(admin) }
}

/** PUT /console/users/:id from the users page */
async function changeRole(agent: ConsoleAgent, user: User, role: string) {
  return agent.submit('/console/users', `/console/users/${user.id}?_method=PUT`, { role })
}

/** DELETE /console/users/:id from the users page */
async function disable(agent: ConsoleAgent, user: User) {
  return agent.submit('/console/users', `/console/users/${user.id}?_method=DELETE`, {})
}

/** POST /console/users/:id/enable from the users page */
async function enable(agent: ConsoleAgent, user: User) {
  return agent.submit('/console/users', `/console/users/${user.id}/enable`, {})
}

/** `count` more viewers in the admin's tenant (one INSERT, with the admin's password hash) */
async function moreViewers(admin: User, count: number) {
  const prefix = `paged-${Date.now()}`
  await db.table('users').multiInsert(
    Array.from({ length: count }, (_, index) => ({
      email: `${prefix}-${String(index).padStart(3, '0')}@console.test`,
      password: admin.password,
      role: 'viewer',
      tenant_id: admin.tenantId,
    }))
  )
}

/** The people listed on a users page, by the email each row shows (none has a name here) */
function emailsOn(html: string) {
  return [...html.matchAll(/<strong>([^<\s]+@[^<\s]+)<\/strong>/g)].map((found) => found[1])
}

/** A pager link's URL as a browser reads it from the HTML */
function linkOn(html: string, rel: 'prev' | 'next') {
  const found = new RegExp(`href="([^"]+)" rel="${rel}"`).exec(html)
  return found ? found[1].replaceAll('&amp;', '&') : null
}

/** The HTML of a users page and of every page after it, following its Next links (which keep its tenant filter) */
async function everyPage(agent: ConsoleAgent, url: string) {
  const tenantOf = (link: string) => new URL(link, 'http://console.test').searchParams.get('tenant')
  const pages: string[] = []
  for (let next: string | null = url; next; next = linkOn(pages.at(-1)!, 'next')) {
    if (tenantOf(next) !== tenantOf(url)) throw new Error(`${next} lost the tenant filter`)
    const page = await agent.get(next)
    if (page.status !== 200) throw new Error(`${next}: ${page.status}`)
    pages.push(page.html)
  }
  return pages.join('\n')
}

test.group('Console users', () => {
  test("an admin sees their tenant's people and no one else's", async ({ assert }) => {
    const ours = await team('Ours')
    const theirs = await team('Theirs')
    const page = await ours.agent.get('/console/users')
    assert.equal(page.status, 200)
    for (const user of [ours.admin, ours.member, ours.viewer]) assert.include(page.html, user.email)
    for (const user of [theirs.admin, theirs.member]) assert.notInclude(page.html, user.email)
  })

  test('an admin changes a role (audited); a tenant keeps at least one admin', async ({
    assert,
  }) => {
    const { admin, member, agent } = await team('Roles')
    const changed = await changeRole(agent, member, 'viewer')
    assert.equal(changed.location, '/console/users')
    assert.include(await agent.noticeAfter(changed), `${member.email} is now viewer.`)
    await member.refresh()
    assert.equal(member.role, 'viewer')
    const [entry] = await auditRowsFor('user', String(member.id))
    assert.equal(entry.action, 'user.role_changed')
    assert.equal(entry.actor_id, String(admin.id))
    assert.deepInclude(entry.before, { role: 'agent' })
    assert.deepInclude(entry.after, { role: 'viewer' })

    const alone = await changeRole(agent, admin, 'viewer')
    assert.include(await agent.noticeAfter(alone), 'A tenant needs at least one admin')
    await admin.refresh()
    assert.equal(admin.role, 'admin')

    const bad = await changeRole(agent, member, 'operator')
    assert.include(await agent.htmlAfter(bad), 'Pick one of the choices')
    await member.refresh()
    assert.equal(member.role, 'viewer')

    // With a second admin, stepping down is fine
    await changeRole(agent, member, 'admin')
    const steppedDown = await changeRole(agent, admin, 'agent')
    assert.equal(steppedDown.location, '/console')
    await admin.refresh()
    assert.equal(admin.role, 'agent')
  })

  test('disabling ends the account’s sessions and its sign-in; not oneself', async ({ assert }) => {
    const { admin, member, agent } = await team('Disabling')
    const memberAgent = await signedIn(member)
    assert.isTrue(await memberAgent.isSignedIn())

    const done = await disable(agent, member)
    assert.include(await agent.noticeAfter(done), 'is disabled and signed out everywhere')
    await member.refresh()
    assert.isNotNull(member.disabledAt)
    assert.isFalse(await memberAgent.isSignedIn())
    assert.equal(
      await new ConsoleAgent().passwordLeadsTo(member.email, CONSOLE_TEST_PASSWORD),
      '/console/login'
    )
    const [entry] = await auditRowsFor('user', String(member.id))
    assert.equal(entry.action, 'user.disabled')

    const self = await disable(agent, admin)
    assert.include(await agent.noticeAfter(self), 'You cannot disable your own account')
    await admin.refresh()
    assert.isNull(admin.disabledAt)
  })

  test('an admin enables a disabled account again (audited): it signs in as before', async ({
    assert,
  }) => {
    const { admin, member, agent } = await team('Enabling')
    await disable(agent, member)
    const page = await agent.get('/console/users')
    assert.include(page.html, `action="/console/users/${member.id}/enable"`)
    assert.notInclude(page.html, `action="/console/users/${admin.id}/enable"`)

    const done = await enable(agent, member)
    assert.equal(done.location, '/console/users')
    assert.include(await agent.noticeAfter(done), `${member.email} is enabled`)
    await member.refresh()
    assert.isNull(member.disabledAt)
    assert.equal(member.role, 'agent')
    assert.equal(
      await new ConsoleAgent().passwordLeadsTo(member.email, CONSOLE_TEST_PASSWORD),
      '/console'
    )

    const rows = await auditRowsFor('user', String(member.id))
    assert.deepEqual(
      rows.map((row) => row.action),
      ['user.disabled', 'user.enabled']
    )
    const enabled = rows[1]
    assert.equal(enabled.actor_type, 'user')
    assert.equal(enabled.actor_id, String(admin.id))
    assert.isNotNull(enabled.before?.disabledAt)
    assert.deepInclude(enabled.after, { disabledAt: null })

    // Enabling one that is not disabled changes nothing
    await enable(agent, member)
    assert.lengthOf(await auditRowsFor('user', String(member.id)), 2)
  })

  test('people come 50 a page, in order, none twice; a page past the end shows the last one', async ({
    assert,
  }) => {
    const { admin, member, viewer, agent } = await team('Paged')
    await moreViewers(admin, 52)

    const first = await agent.get('/console/users')
    const onFirst = emailsOn(first.html)
    assert.lengthOf(onFirst, 50)
    assert.include(first.html, 'Page 1 of 2 · 55 people')
    assert.isNull(linkOn(first.html, 'prev'))
    assert.equal(linkOn(first.html, 'next'), '/console/users?page=2')

    const second = await agent.get(linkOn(first.html, 'next')!)
    const onSecond = emailsOn(second.html)
    assert.lengthOf(onSecond, 5)
    assert.include(second.html, 'Page 2 of 2 · 55 people')
    assert.equal(linkOn(second.html, 'prev'), '/console/users?page=1')
    assert.isNull(linkOn(second.html, 'next'))
    const everyone = [...onFirst, ...onSecond]
    assert.deepEqual(everyone, [...everyone].sort())
    assert.lengthOf(new Set(everyone), 55)
    for (const person of [admin, member, viewer]) assert.include(everyone, person.email)

    const past = await agent.get('/console/users?page=9')
    assert.deepEqual(emailsOn(past.html), onSecond)
    for (const odd of ['0', '-1', 'two', '1e9', '99999999999']) {
      const page = await agent.get(`/console/users?page=${odd}`)
      assert.equal(page.status, 200, odd)
      assert.deepEqual(emailsOn(page.html), onFirst, odd)
    }
  })

  test("another tenant's admin gets 404 for this tenant's people; a viewer gets 403", async ({
    assert,
  }) => {
    const ours = await team('Walled')
    const other = await team('Outside')

    for (const response of [
      await changeRole(other.agent, ours.member, 'admin'),
      await disable(other.agent, ours.member),
      await enable(other.agent, ours.member),
    ]) {
      assert.equal(response.status, 404)
      assert.notInclude(response.html, ours.member.email)
    }
    await ours.member.refresh()
    assert.equal(ours.member.role, 'agent')
    assert.isNull(ours.member.disabledAt)

    const viewerAgent = await signedIn(ours.viewer)
    const usersPage = await viewerAgent.get('/console/users')
    assert.equal(usersPage.status, 403)
    await viewerAgent.get('/console/account')
    for (const [path, fields] of [
      ['/console/users/invites', { email: 'someone@console.test', role: 'admin' }],
      [`/console/users/${ours.member.id}?_method=PUT`, { role: 'admin' }],
      [`/console/users/${ours.member.id}?_method=DELETE`, {}],
      [`/console/users/${ours.member.id}/enable`, {}],
    ] as const) {
      const refused = await viewerAgent.post(path, fields)
      assert.equal(refused.status, 403, path)
    }
    await ours.member.refresh()
    assert.equal(ours.member.role, 'agent')
  })

  test('an operator sees every user with their tenant, and filters by tenant', async ({
    assert,
  }) => {
    const first = await team('First filter')
    const second = await team('Second filter')
    const operator = await createConsoleUser('operator')
    const agent = new ConsoleAgent()
    await agent.signInEnrolling(operator.email, CONSOLE_TEST_PASSWORD)

    // Everyone (of every test so far) spans pages, each linking the next with the filter kept
    const all = await everyPage(agent, '/console/users?tenant=all')
    for (const user of [first.admin, second.admin, operator]) assert.include(all, user.email)
    assert.include(all, 'First filter')

    const filtered = await agent.get(`/console/users?tenant=${first.tenant.id}`)
    assert.include(filtered.html, first.admin.email)
    assert.notInclude(filtered.html, second.admin.email)

    // Paging keeps the tenant filter
    await moreViewers(first.admin, 50)
    const pageOne = await agent.get(`/console/users?tenant=${first.tenant.id}`)
    const next = linkOn(pageOne.html, 'next')
    assert.equal(next, `/console/users?tenant=${first.tenant.id}&page=2`)
    const pageTwo = await agent.get(next!)
    assert.include(pageTwo.html, 'Page 2 of 2 · 53 people')
    assert.lengthOf(emailsOn(pageTwo.html), 3)
    assert.notInclude(pageTwo.html, second.admin.email)
    assert.equal(linkOn(pageTwo.html, 'prev'), `/console/users?tenant=${first.tenant.id}&page=1`)

    const changed = await changeRole(agent, second.member, 'viewer')
    assert.equal(changed.location, '/console/users')
    await second.member.refresh()
    assert.equal(second.member.role, 'viewer')

    // Anyone disabled, another operator too, is enabled again by an operator
    const colleague = await createConsoleUser('operator')
    await disable(agent, colleague)
    await disable(agent, second.viewer)
    for (const person of [colleague, second.viewer]) {
      const enabled = await enable(agent, person)
      assert.include(await agent.noticeAfter(enabled), `${person.email} is enabled`)
      await person.refresh()
      assert.isNull(person.disabledAt)
    }
    const [, entry] = await auditRowsFor('user', String(colleague.id))
    assert.equal(entry.action, 'user.enabled')
    assert.isNull(entry.tenant_id)
    assert.equal(entry.actor_id, String(operator.id))
  })
})
