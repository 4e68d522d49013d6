import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import { errors } from '@vinejs/vine'
import User from '#models/user'
import UserToken from '#models/user_token'
import { InviteUser } from '#people/invite_user'
import { operatorActor } from '#messaging/audit/audit_actors'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { auditRowsFor } from '#tests/helpers/audit'
import { ConsoleAgent, totpCode } from '#tests/helpers/console_agent'

const APP_URL = process.env.APP_URL ?? `http://127.0.0.1:${process.env.PORT}`
const INVITE_LINK = new RegExp(`${APP_URL}/console/invites/([A-Za-z0-9_-]{43})`)

/** A signed-in admin of a new tenant */
async function signedInAdmin(name = 'Acme') {
  const { tenant } = await createTenant(name)
  const admin = await createConsoleUser('admin', tenant.id)
  const agent = new ConsoleAgent()
  await agent.signIn(admin.email, CONSOLE_TEST_PASSWORD)
  return { tenant, admin, agent }
}

/** Posts the invite form of the users page; the answer (a redirect) */
async function invite(agent: ConsoleAgent, fields: Record<string, string>) {
  return agent.submit('/console/users', '/console/users/invites', fields)
}

test.group('Console invites', () => {
  test('an admin invites someone: the link is shown once; accepting creates the user with the role and tenant and signs them in; the link then fails', async ({
    assert,
  }) => {
    const { tenant, admin, agent } = await signedInAdmin('Invites & Co')
    const email = `new-agent-${Date.now()}@console.test`

    const answer = await invite(agent, { email, role: 'agent' })
    assert.equal(answer.location, '/console/users')
    const created = await agent.follow(answer)
    const link = INVITE_LINK.exec(created.html)
    assert.isNotNull(link)
    assert.match(created.html, /class="secret-once" id="invite-url">[^<]*\/console\/invites\//)
    assert.include(created.html, `data-copy="${link![0]}"`)
    const token = link![1]
    const path = `/console/invites/${token}`

    // Never again: the page lists the invite without its link, and no table holds the token
    const later = await agent.get('/console/users')
    assert.include(later.html, email)
    assert.notInclude(later.html, token)
    const row = await UserToken.findByOrFail('email', email)
    assert.equal(row.kind, 'invite')
    assert.notInclude(JSON.stringify(row.$attributes), token)
    assert.equal(String(row.createdByUserId), String(admin.id))

    const invitee = new ConsoleAgent()
    const page = await invitee.get(path)
    assert.equal(page.status, 200)
    assert.include(page.html, 'Invites &amp; Co')
    assert.include(page.html, 'agent')
    const weak = await invitee.post(path, {
      fullName: 'Ada Agent',
      password: 'too short',
      password_confirmation: 'too short',
    })
    assert.include(await invitee.htmlAfter(weak), 'Use at least 12 characters')
    const accepted = await invitee.post(path, {
      fullName: 'Ada Agent',
      password: 'the invitee chose this',
      password_confirmation: 'the invitee chose this',
    })
    assert.equal(accepted.location, '/console')
    assert.isTrue(await invitee.isSignedIn())
    const user = await User.findByOrFail('email', email)
    assert.equal(user.role, 'agent')
    assert.equal(user.tenantId, tenant.id)
    assert.equal(user.fullName, 'Ada Agent')
    await row.refresh()
    assert.isNotNull(row.usedAt)

    const reused = await new ConsoleAgent().get(path)
    assert.equal(reused.status, 404)
    assert.include(reused.html, 'This invite does not work')
    const stranger = new ConsoleAgent()
    await stranger.get('/console/login')
    const reusedPost = await stranger.post(path, {
      fullName: 'Someone Else',
      password: 'another long password',
      password_confirmation: 'another long password',
    })
    assert.equal(reusedPost.status, 404)
    assert.lengthOf(await User.query().where('email', email), 1)

    const inviteAudit = await auditRowsFor('invite', String(row.id))
    assert.deepEqual(
      inviteAudit.map((entry) => [entry.action, entry.actor_type, entry.actor_id]),
      [['user.invited', 'user', String(admin.id)]]
    )
    const userAudit = await auditRowsFor('user', String(user.id))
    assert.deepEqual(
      userAudit.map((entry) => entry.action),
      ['user.invite_accepted']
    )
  })

  test('an email that already has an account is refused beside the email field', async ({
    assert,
  }) => {
    const { admin, agent } = await signedInAdmin()
    const refused = await invite(agent, { email: admin.email.toUpperCase(), role: 'viewer' })
    assert.equal(refused.location, '/console/users')
    const page = await agent.htmlAfter(refused)
    assert.match(page, /field-error" id="error-email">This email already has an account/)
    assert.lengthOf(await UserToken.query().where('email', admin.email), 0)
  })

  test('InviteUser (for other pages): { invite, url } once; 422 on `email` for an existing account', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const existing = await createConsoleUser('viewer', tenant.id)
    const inviteUser = await app.container.make(InviteUser)

    const { invite: created, url } = await inviteUser.handle(
      { tenantId: tenant.id, email: `First.Admin.${Date.now()}@Example.com`, role: 'admin' },
      operatorActor()
    )
    assert.match(url, INVITE_LINK)
    assert.match(created.email, /^first\.admin\.\d+@example\.com$/)
    assert.equal(created.role, 'admin')
    assert.equal(created.expiresAt.diffNow('days').days > 6.9, true)

    const error = await inviteUser
      .handle({ tenantId: tenant.id, email: existing.email, role: 'admin' }, operatorActor())
      .catch((caught) => caught)
    assert.instanceOf(error, errors.E_VALIDATION_ERROR)
    assert.equal(error.status, 422)
    assert.deepInclude(error.messages[0], { field: 'email' })
  })

  test('an operator invites into the tenant picked in the form; without one the form says to pick it', async ({
    assert,
  }) => {
    const { tenant } = await createTenant('Picked')
    const operator = await createConsoleUser('operator')
    const agent = new ConsoleAgent()
    await agent.signIn(operator.email, CONSOLE_TEST_PASSWORD)
    const secret = await agent.enrolmentSecretOn('/console/two-factor')
    await agent.post('/console/two-factor', { code: totpCode(secret) })
    assert.isTrue(await agent.isSignedIn())

    const email = `picked-${Date.now()}@console.test`
    const unpicked = await invite(agent, { email, role: 'viewer' })
    assert.include(await agent.htmlAfter(unpicked), 'Pick the tenant to invite into')

    const picked = await invite(agent, {
      email,
      role: 'admin',
      tenantId: tenant.id,
    })
    assert.equal(picked.location, `/console/users?tenant=${tenant.id}`)
    assert.match(await agent.htmlAfter(picked), INVITE_LINK)
    const row = await UserToken.findByOrFail('email', email)
    assert.equal(row.tenantId, tenant.id)
    assert.equal(row.role, 'admin')
    const [entry] = await auditRowsFor('invite', String(row.id))
    assert.equal(entry.actor_id, String(operator.id))
  })
})
