import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { DateTime } from 'luxon'
import UserToken from '#models/user_token'
import { CONSOLE_MAIL_TENANT_ID } from '#people/console_mail'
import { DeferredWork } from '#people/deferred_work'
import { hashToken, newToken } from '#people/user_tokens'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { auditRowsFor } from '#tests/helpers/audit'
import { ConsoleAgent } from '#tests/helpers/console_agent'

const APP_URL = process.env.APP_URL ?? `http://127.0.0.1:${process.env.PORT}`
const NEW_PASSWORD = 'a brand new passphrase'

/** The reset emails the pipeline holds for this address */
async function resetMessages(email: string) {
  return db
    .from('messages')
    .where({ tenant_id: CONSOLE_MAIL_TENANT_ID, recipient: email })
    .where('message_type', 'console.password_reset')
}

/**
 * Asks for a reset link; the notice the sign-in page then shows, once the
 * link was made and sent (after the answer: the server runs in this process)
 */
async function askForReset(email: string) {
  const agent = new ConsoleAgent()
  const answer = await agent.submit('/console/password/forgot', '/console/password/forgot', {
    email,
  })
  if (answer.location !== '/console/login') throw new Error(`forgot: ${answer.status}`)
  const deferred = await app.container.make(DeferredWork)
  await deferred.drained()
  return agent.noticeAfter(answer)
}

/** The link in the one reset email to this address */
async function emailedLink(email: string) {
  const [message] = await resetMessages(email)
  const found = new RegExp(`${APP_URL}/console/password/reset/([A-Za-z0-9_-]{43})`).exec(
    message.content.text
  )
  if (!found) throw new Error('no reset link in the email')
  return { path: new URL(found[0]).pathname, token: found[1], message }
}

test.group('Console passwords: forgotten', () => {
  test('asking answers the same for any email; a real account gets a P0 email through the pipeline with a single-use link', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const unknown = 'nobody-at-all@console.test'

    const forReal = await askForReset(admin.email)
    const forNobody = await askForReset(unknown)
    assert.equal(forReal?.replace(admin.email, 'x'), forNobody?.replace(unknown, 'x'))
    assert.include(forReal, 'If an account exists')
    assert.lengthOf(await resetMessages(unknown), 0)

    const { token, message, path } = await emailedLink(admin.email)
    assert.equal(message.channel, 'email')
    assert.equal(message.priority, 'P0')
    assert.equal(message.status, 'queued')
    assert.equal(message.subject, 'Reset your Switchboard password')
    assert.include(message.content.html, `${APP_URL}${path}`)
    // Only the token's hash is kept
    const stored = await UserToken.findByOrFail('token_hash', hashToken(token))
    assert.equal(stored.kind, 'password_reset')
    assert.equal(String(stored.userId), String(admin.id))
    const tokens = await db.from('user_tokens').where('user_id', admin.id)
    assert.notInclude(JSON.stringify(tokens), token)

    // Open elsewhere before the reset: signed out by it
    const elsewhere = new ConsoleAgent()
    await elsewhere.signIn(admin.email, CONSOLE_TEST_PASSWORD)
    assert.isTrue(await elsewhere.isSignedIn())

    const agent = new ConsoleAgent()
    const form = await agent.get(path)
    assert.equal(form.status, 200)
    assert.include(form.html, admin.email)
    const short = await agent.post(path, { password: 'short', password_confirmation: 'short' })
    assert.equal(short.location, path)
    assert.include(await agent.htmlAfter(short), 'Use at least 12 characters')
    const mismatch = await agent.post(path, {
      password: NEW_PASSWORD,
      password_confirmation: `${NEW_PASSWORD}!`,
    })
    assert.include(await agent.htmlAfter(mismatch), 'The two passwords do not match')

    const done = await agent.post(path, {
      password: NEW_PASSWORD,
      password_confirmation: NEW_PASSWORD,
    })
    assert.equal(done.location, '/console/login')
    assert.include(await agent.noticeAfter(done), 'Your password is set')
    assert.isFalse(await elsewhere.isSignedIn())
    assert.equal(await new ConsoleAgent().passwordLeadsTo(admin.email, NEW_PASSWORD), '/console')
    assert.equal(
      await new ConsoleAgent().passwordLeadsTo(admin.email, CONSOLE_TEST_PASSWORD),
      '/console/login'
    )

    // Once only
    const again = await agent.get(path)
    assert.equal(again.status, 404)
    assert.include(again.html, 'This link does not work')
    const reused = await agent.post(path, {
      password: 'yet another passphrase',
      password_confirmation: 'yet another passphrase',
    })
    assert.equal(reused.status, 404)
    assert.equal(await new ConsoleAgent().passwordLeadsTo(admin.email, NEW_PASSWORD), '/console')

    const rows = await auditRowsFor('user', String(admin.id))
    assert.deepEqual(
      rows.map((row) => [row.action, row.actor_type]),
      [['user.password_reset', 'user']]
    )
  })

  test('an expired or unknown link gives a clear 404 page', async ({ assert }) => {
    const { tenant } = await createTenant()
    const admin = await createConsoleUser('admin', tenant.id)
    const { token, hash } = newToken()
    await UserToken.create({
      kind: 'password_reset',
      tokenHash: hash,
      userId: admin.id,
      tenantId: tenant.id,
      email: admin.email,
      expiresAt: DateTime.now().minus({ minutes: 1 }),
    })
    const agent = new ConsoleAgent()
    for (const path of [
      `/console/password/reset/${token}`,
      `/console/password/reset/${newToken().token}`,
      '/console/password/reset/not-a-token',
    ]) {
      const page = await agent.get(path)
      assert.equal(page.status, 404, path)
      assert.include(page.html, 'Get a new link')
    }
  })
})

test.group('Console passwords: changed', () => {
  test('a change needs the current password; other sessions end, this one stays', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const viewer = await createConsoleUser('viewer', tenant.id)
    const elsewhere = new ConsoleAgent()
    await elsewhere.signIn(viewer.email, CONSOLE_TEST_PASSWORD)
    const agent = new ConsoleAgent()
    await agent.signIn(viewer.email, CONSOLE_TEST_PASSWORD)

    const page = await agent.get('/console/account')
    assert.include(page.html, viewer.email)
    const wrong = await agent.post('/console/account/password?_method=PUT', {
      currentPassword: 'this is not it at all',
      password: NEW_PASSWORD,
      password_confirmation: NEW_PASSWORD,
    })
    assert.equal(wrong.location, '/console/account')
    const withError = await agent.follow(wrong)
    assert.include(withError.html, 'This is not your current password')
    assert.notInclude(withError.html, 'this is not it at all')
    assert.equal(
      await new ConsoleAgent().passwordLeadsTo(viewer.email, CONSOLE_TEST_PASSWORD),
      '/console'
    )

    const changed = await agent.post('/console/account/password?_method=PUT', {
      currentPassword: CONSOLE_TEST_PASSWORD,
      password: NEW_PASSWORD,
      password_confirmation: NEW_PASSWORD,
    })
    assert.include(await agent.noticeAfter(changed), 'Your password is changed')
    assert.isTrue(await agent.isSignedIn())
    assert.isFalse(await elsewhere.isSignedIn())
    assert.equal(await new ConsoleAgent().passwordLeadsTo(viewer.email, NEW_PASSWORD), '/console')
    const rows = await auditRowsFor('user', String(viewer.id))
    assert.deepEqual(
      rows.map((row) => row.action),
      ['user.password_changed']
    )
  })
})
