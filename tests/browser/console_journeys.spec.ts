import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { Secret, TOTP } from 'otpauth'
import type { Page } from 'playwright'
import { CreateUser } from '#people/create_user'
import { operatorActor } from '#messaging/audit/audit_actors'
import Tenant from '#models/tenant'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { CONSOLE_TEST_PASSWORD } from '#tests/helpers/console_users'
import { startFakePostal, FAKE_POSTAL_API_KEY } from '#tests/helpers/fake_postal'
import { CallbackRelay } from '#tests/helpers/callback_relay'
import { WorkerProcess } from '#tests/helpers/worker_process'
import { createKey } from '#tests/helpers/tenants'
import { webhookPath } from '#tests/helpers/webhooks'
import { PHONE, screenshot } from '#tests/helpers/screenshots'

/** Waits for what a person waits for: a callback, a worker, the timeline's 3 s refresh */
const PATIENCE = { timeout: 45_000 }

/**
 * The console's main journeys, clicked and typed through the real pages in
 * Chromium: an operator signs in with TOTP and creates a tenant and its admin;
 * the admin accepts the invite, adds a Postal provider (the fake), tests the
 * connection, and follows a message sent from the API to `delivered`, which
 * the fake's signed callback brings. The tests run in order and hand on what
 * a person would carry (the invite link, the admin's email).
 */
test.group('Console journeys', (group) => {
  const run = Date.now().toString(36)
  const tenantName = `Acme ${run}`
  const adminEmail = `admin-${run}@acme.test`
  const adminPassword = 'a long admin passphrase'
  let inviteLink = ''
  let postal: PostalFakeServer
  let relay: CallbackRelay

  group.setup(async () => {
    relay = await new CallbackRelay().start()
    postal = await startFakePostal({ url: relay.url })
    return async () => {
      await postal.stop()
      await relay.stop()
    }
  })

  test('an operator signs in with TOTP and creates a tenant and its admin', async ({
    visit,
    assert,
  }) => {
    const operatorEmail = `operator-${run}@switchboard.test`
    const createUser = await app.container.make(CreateUser)
    await createUser.handle(
      { email: operatorEmail, password: CONSOLE_TEST_PASSWORD, role: 'operator', tenantId: null },
      operatorActor()
    )

    const page = await visit('/console/login')
    await screenshot(page, 'login')
    await signIn(page, operatorEmail, CONSOLE_TEST_PASSWORD)

    // Operators must turn two-factor on: the enrolment page shows the key to type into an app
    await page.assertPath('/console/two-factor')
    const shownSecret = await page.locator('#totp-secret').innerText()
    const secret = shownSecret.replace(/\s+/g, '')
    assert.match(secret, /^[A-Z2-7]{16,}$/)
    await screenshot(page, 'two-factor-enrolment')
    await page.getByLabel('Code').fill(totpCode(secret))
    await page.getByRole('button', { name: 'Turn on and sign in' }).click()

    await page.assertPath('/console')
    await page.assertVisible(page.getByRole('heading', { name: 'Overview' }))

    // Tenants: a new tenant and its first admin, whose invite link is shown once
    await navigate(page, 'Tenants')
    await page.assertPath('/console/tenants')
    await page.getByLabel('Tenant name').fill(tenantName)
    await page.getByLabel(/first admin/).fill(adminEmail)
    await page.getByRole('button', { name: 'Create tenant and invite' }).click()
    await page.assertVisible(page.getByRole('heading', { name: tenantName }))
    const shownLink = await page.locator('#invite-url').innerText()
    inviteLink = shownLink.trim()
    assert.match(inviteLink, /\/console\/invites\/[\w-]{43}$/)
    await screenshot(page, 'tenant-created')
    await navigate(page, 'Tenants')
    await page.assertVisible(page.getByRole('link', { name: tenantName }))
    await screenshot(page, 'tenants')

    await signOut(page)
    await page.assertPath('/console/login')
    await page.assertTextContains('main', 'You are signed out')
  })

  test('the admin accepts the invite, adds the Postal provider and tests its connection', async ({
    visit,
    assert,
  }) => {
    assert.isNotEmpty(inviteLink, 'the operator’s journey hands on an invite link')
    const page = await visit(new URL(inviteLink).pathname)
    await page.assertVisible(page.getByRole('heading', { name: `Join ${tenantName}` }))
    await page.getByLabel('Your name').fill('Ada Admin')
    await page.getByLabel('Password', { exact: true }).fill(adminPassword)
    await page.getByLabel('Password again').fill(adminPassword)
    await page.getByRole('button', { name: 'Create my account' }).click()
    await page.assertPath('/console')
    await page.assertTextContains('.user-menu summary', adminEmail)

    await navigate(page, 'Providers')
    await page.assertPath('/console/providers')
    await page.getByRole('link', { name: 'Add a provider' }).first().click()
    await page.getByRole('link', { name: /^Postal/ }).click()
    await page.assertVisible(page.getByRole('heading', { name: 'Add a Postal provider' }))
    await page.getByLabel('Name', { exact: true }).fill('Postal (Acme)')
    await page.getByLabel('Base URL').fill(postal.baseUrl)
    await page.getByLabel('API key').fill(FAKE_POSTAL_API_KEY)
    await page.getByLabel('From address').fill('notifications@acme.test')
    await page.getByLabel(/Webhook public key/).fill(postal.webhookPublicKey)
    await screenshot(page, 'provider-form')
    await page.getByRole('button', { name: 'Add provider' }).click()

    await page.assertPath('/console/providers')
    const row = page.getByRole('row', { name: /Postal \(Acme\)/ })
    await row.getByRole('button', { name: 'Test connection' }).click()
    await page.assertTextContains(row.getByRole('status'), 'Connection OK')
    await screenshot(page, 'providers')
    // The list shows the key masked, never whole
    assert.notInclude(await page.content(), FAKE_POSTAL_API_KEY)
  })

  test('a message sent from the API is found by recipient and its timeline shows delivered', async ({
    visit,
    client,
    assert,
    cleanup,
  }) => {
    // The fake Postal's signed callbacks go to this provider's webhook, as Postal would be told
    const tenant = await Tenant.findByOrFail('name', tenantName)
    const provider = await db
      .from('provider_configs')
      .where('tenant_id', tenant.id)
      .where('type', 'postal')
      .firstOrFail()
    relay.target = `${app.config.get<string>('app.appUrl')}${webhookPath('postal', provider.id)}`

    const { headers } = await createKey(tenant, { scopes: ['send', 'read'] })
    const recipient = `grace-${run}@example.com`
    const sent = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({
        channel: 'email',
        priority: 'P2',
        recipient,
        subject: 'Your receipt',
        content: { text: 'Thank you for your order.' },
      })
    sent.assertStatus(201)
    const messageId: string = sent.body().id

    const page = await visit('/console/login')
    await signIn(page, adminEmail, adminPassword)
    await page.assertPath('/console')
    await navigate(page, 'Messages')
    // Part of the address, in whatever case a person types it
    await page.getByLabel('Recipient').fill(recipient.slice(0, 14).toUpperCase())
    await page.getByRole('button', { name: 'Search' }).click()
    const found = page.getByRole('link', { name: recipient })
    await page.assertVisible(found)
    await screenshot(page, 'messages')
    await screenshot(page, 'messages-phone', PHONE)

    await found.click()
    await page.assertPath(`/console/messages/${messageId}`)
    // No worker has taken it yet: the page shows it queued, and its timeline live
    await page.assertTextContains('#message-status', 'queued')
    await page.assertVisible(page.getByText('Live: updates every 3 seconds'))
    assert.equal(await page.locator('#timeline .badge', { hasText: 'delivered' }).count(), 0)

    // The P2 worker sends it through the fake Postal, whose signed callback reports it delivered;
    // the open page shows that on one of its 3 s refreshes, without a reload
    const worker = await WorkerProcess.start('P2')
    cleanup(async () => {
      await worker.stop()
    })
    const delivered = page.locator('#timeline .timeline-event', {
      has: page.locator('.badge', { hasText: 'delivered' }),
    })
    await delivered.waitFor(PATIENCE)
    await page.assertTextContains(delivered, 'postal callback')
    await page.assertTextContains('#message-status', 'delivered')
    assert.include(await page.locator('main').innerText(), recipient)
    // Delivered is settled: the refreshes stop, and the page as it loads now offers no cancel
    await page.assertNotExists(page.getByText('Live: updates every 3 seconds'))
    await page.reload()
    await page.assertTextContains('#message-status', 'delivered')
    await page.assertNotExists(page.getByRole('button', { name: 'Cancel message' }))
    await screenshot(page, 'message')

    // The Overview now has a send to show (its figures refresh every 5 s)
    await navigate(page, 'Overview')
    await page.assertVisible(page.getByRole('heading', { name: 'Overview' }))
    await screenshot(page, 'overview')
    await screenshot(page, 'overview-phone', PHONE)
  })
})

async function signIn(page: Page, email: string, password: string) {
  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password', { exact: true }).fill(password)
  await page.getByRole('button', { name: /sign in/i }).click()
}

/** A click on the main navigation's link */
async function navigate(page: Page, name: string) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click()
}

async function signOut(page: Page) {
  await page.locator('.user-menu summary').click()
  await page.getByRole('button', { name: 'Sign out' }).click()
}

/** The code an authenticator app shows now for the secret */
function totpCode(secret: string) {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate()
}
