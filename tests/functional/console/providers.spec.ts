import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient, ApiRequest, ApiResponse } from '@japa/api-client'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { GatewayHealth, providerGatewayKey } from '#messaging/routing/gateway_health'
import { ProviderConfigService } from '#messaging/provider_configs/provider_config_service'
import { VENDORS } from '#messaging/vendors/index'
import type User from '#models/user'
import { createConsoleUser } from '#tests/helpers/console_users'
import { FAKE_POSTAL_API_KEY, startFakePostal } from '#tests/helpers/fake_postal'
import { freePort } from '#tests/helpers/ports'
import { createTenant } from '#tests/helpers/tenants'

const NEW_POSTAL = '/console/providers/new?type=postal'

/** A console request as this person: signed in, with a CSRF token for changes */
function as(request: ApiRequest, user: User) {
  return request.withGuard('web').loginAs(user).withCsrfToken().redirects(0)
}

/** A console page's HTML as this person sees it */
async function pageAs(client: ApiClient, url: string, user: User) {
  const response = await as(client.get(url), user)
  response.assertStatus(200)
  return response.text()
}

/** The notice a change flashed for the next page */
function noticeOf(response: ApiResponse) {
  return response.flashMessages().notice as { kind: string; text: string }
}

/** The validation errors a refused form flashed for one field */
function fieldErrors(response: ApiResponse, key: string) {
  const bag = response.flashMessages().inputErrorsBag as Record<string, string[]> | undefined
  return bag?.[key] ?? []
}

async function enabledOf(id: string) {
  const row = await db.from('provider_configs').where('id', id).firstOrFail()
  return row.enabled as boolean
}

/** The Postal form's fields, as a browser posts them, pointed at `baseUrl` */
function postalForm(baseUrl: string, fields: Record<string, unknown> = {}) {
  return {
    type: 'postal',
    channel: 'email',
    name: 'Postal (fake)',
    config: { baseUrl, from: 'notifications@acme.test', webhookPublicKey: '' },
    secrets: { apiKey: FAKE_POSTAL_API_KEY },
    ...fields,
  }
}

/** Adds a provider through the console's form; its id */
async function addThroughForm(client: ApiClient, user: User, form: Record<string, unknown>) {
  const response = await as(client.post('/console/providers'), user)
    .header('referer', NEW_POSTAL)
    .form(form)
  response.assertStatus(302)
  response.assertHeader('location', '/console/providers')
  const row = await db
    .from('provider_configs')
    .where('name', form.name as string)
    .orderBy('created_at', 'desc')
    .firstOrFail()
  return row.id as string
}

async function tenantWithPeople() {
  const { tenant } = await createTenant('Acme')
  return {
    tenantId: tenant.id,
    admin: await createConsoleUser('admin', tenant.id),
    viewer: await createConsoleUser('viewer', tenant.id),
  }
}

test.group('Console providers: a tenant admin adds and tests a Postal provider', (group) => {
  let postal: PostalFakeServer
  group.setup(async () => {
    postal = await startFakePostal()
    return () => postal.stop()
  })

  test('the list starts empty and says what happens and what to do', async ({ client, assert }) => {
    const { admin } = await tenantWithPeople()
    const response = await as(client.get('/console/providers'), admin)
    response.assertStatus(200)
    response.assertTextIncludes(
      'its messages are sent through the system providers the operator has set up'
    )
    // The log gateway is the operator's business, not the tenant's
    assert.notInclude(response.text(), 'log gateway')
    response.assertTextIncludes('Add a provider')
  })

  test('adding one starts with a card per provider type, each with its channels', async ({
    client,
    assert,
  }) => {
    const { admin } = await tenantWithPeople()
    const html = await pageAs(client, '/console/providers/new', admin)
    for (const vendor of VENDORS) {
      assert.include(html, `href="/console/providers/new?type=${vendor.type}"`)
      assert.include(html, vendor.label)
    }
    assert.include(html, '<span class="badge badge-info">sms</span>')
  })

  test('each type’s form asks for its own fields; its secrets are password inputs', async ({
    client,
    assert,
  }) => {
    const { admin } = await tenantWithPeople()
    const postalPage = await pageAs(client, NEW_POSTAL, admin)
    assert.include(postalPage, 'name="config[baseUrl]"')
    assert.match(postalPage, /name="secrets\[apiKey\]"\s+type="password"/)
    assert.include(postalPage, 'Webhook public key')
    assert.notInclude(postalPage, 'accountSid')

    const ses = await pageAs(client, '/console/providers/new?type=ses', admin)
    assert.match(ses, /name="secrets\[secretAccessKey\]"\s+type="password"/)
    assert.include(ses, 'name="config[region]"')

    const fcm = await pageAs(client, '/console/providers/new?type=fcm', admin)
    assert.match(fcm, /<textarea id="field-config-serviceAccount" name="secrets\[serviceAccount\]"/)

    // The log type carries every channel: the channel is chosen
    const log = await pageAs(client, '/console/providers/new?type=log', admin)
    assert.include(log, '<select id="field-channel" name="channel"')
  })

  test('the admin adds Postal through the form: listed, its key masked and nowhere in the page', async ({
    client,
    assert,
  }) => {
    const { tenantId, admin } = await tenantWithPeople()
    const id = await addThroughForm(client, admin, postalForm(postal.baseUrl))

    const row = await db.from('provider_configs').where('id', id).firstOrFail()
    assert.equal(row.tenant_id, tenantId)
    assert.equal(row.type, 'postal')
    assert.isTrue(row.enabled)
    assert.notInclude(row.encrypted_config, FAKE_POSTAL_API_KEY)

    const list = await as(client.get('/console/providers'), admin)
    list.assertStatus(200)
    const html = list.text()
    assert.include(html, 'Postal (fake)')
    assert.include(html, postal.baseUrl)
    assert.include(html, `…${FAKE_POSTAL_API_KEY.slice(-4)}`)
    assert.notInclude(html, FAKE_POSTAL_API_KEY)
    assert.include(html, 'Test connection')

    const edit = await pageAs(client, `/console/providers/${id}/edit`, admin)
    assert.notInclude(edit, FAKE_POSTAL_API_KEY)
    assert.include(edit, 'Leave empty to keep the current value')

    // Audited as the person's change, the secret masked
    const entry = await db
      .from('audit_entries')
      .where('target_id', id)
      .where('action', 'provider.created')
      .firstOrFail()
    assert.deepEqual([entry.actor_type, entry.actor_id], ['user', String(admin.id)])
    assert.notInclude(JSON.stringify(entry.after), FAKE_POSTAL_API_KEY)
  })

  test('Test connection passes against the fake: htmx gets the outcome, no JS a notice', async ({
    client,
    assert,
  }) => {
    const { admin } = await tenantWithPeople()
    const id = await addThroughForm(client, admin, postalForm(postal.baseUrl))

    const htmx = await as(client.post(`/console/providers/${id}/test`), admin).header(
      'hx-request',
      'true'
    )
    htmx.assertStatus(200)
    assert.include(htmx.text(), 'Connection OK')
    assert.include(htmx.text(), 'API key accepted')
    assert.notInclude(htmx.text(), '<html')

    const plain = await as(client.post(`/console/providers/${id}/test`), admin)
    plain.assertStatus(302)
    plain.assertHeader('location', '/console/providers')
    assert.equal(noticeOf(plain).kind, 'success')
    assert.match(noticeOf(plain).text, /^Postal \(fake\): Connection OK: /)
  })

  test('Test connection against a closed port fails and says why', async ({ client, assert }) => {
    const { admin } = await tenantWithPeople()
    const closed = `http://127.0.0.1:${await freePort()}`
    const id = await addThroughForm(client, admin, postalForm(closed))

    const htmx = await as(client.post(`/console/providers/${id}/test`), admin).header(
      'hx-request',
      'true'
    )
    htmx.assertStatus(200)
    assert.include(htmx.text(), 'Connection failed')
    assert.include(htmx.text(), 'notice-error')

    const plain = await as(client.post(`/console/providers/${id}/test`), admin)
    assert.equal(noticeOf(plain).kind, 'error')
    assert.match(noticeOf(plain).text, /Connection failed: \w+/)
  })

  test('editing with the secret left empty keeps it; an emptied optional field goes', async ({
    client,
    assert,
  }) => {
    const { tenantId, admin } = await tenantWithPeople()
    const id = await addThroughForm(
      client,
      admin,
      postalForm(postal.baseUrl, {
        config: {
          baseUrl: postal.baseUrl,
          from: 'notifications@acme.test',
          webhookPublicKey: postal.webhookPublicKey,
        },
      })
    )

    const response = await as(client.post(`/console/providers/${id}?_method=PUT`), admin)
      .header('referer', `/console/providers/${id}/edit`)
      .form({
        channel: 'email',
        name: 'Postal (renamed)',
        config: { baseUrl: postal.baseUrl, from: 'billing@acme.test', webhookPublicKey: '' },
        secrets: { apiKey: '' },
      })
    response.assertStatus(302)
    response.assertHeader('location', '/console/providers')

    const service = await app.container.make(ProviderConfigService)
    const provider = await service.find(tenantId, id)
    assert.equal(provider.name, 'Postal (renamed)')
    assert.equal(provider.config.from, 'billing@acme.test')
    assert.notProperty(provider.config, 'webhookPublicKey')
    assert.equal(provider.config.apiKey, `…${FAKE_POSTAL_API_KEY.slice(-4)}`)
    // The stored key still opens the fake
    const kept = await service.test(tenantId, id)
    assert.isTrue(kept.ok)

    // A new key replaces it
    await as(client.post(`/console/providers/${id}?_method=PUT`), admin).form({
      channel: 'email',
      name: 'Postal (renamed)',
      config: { baseUrl: postal.baseUrl, from: 'billing@acme.test' },
      secrets: { apiKey: 'a-wrong-key-9999' },
    })
    const replaced = await service.find(tenantId, id)
    assert.equal(replaced.config.apiKey, '…9999')
    const refused = await service.test(tenantId, id)
    assert.isFalse(refused.ok)

    // A bad value goes back to the edit form, beside its field, and changes nothing
    const edit = `/console/providers/${id}/edit`
    const bad = await as(client.post(`/console/providers/${id}?_method=PUT`), admin)
      .header('referer', edit)
      .form({ channel: 'email', name: 'Postal (renamed)', config: { baseUrl: 'nope', from: '' } })
    bad.assertHeader('location', edit)
    assert.deepEqual(fieldErrors(bad, 'config.baseUrl'), ['The Base URL field must be a valid URL'])
    assert.deepEqual(fieldErrors(bad, 'config.from'), ['The From address field must be defined'])
    const unchanged = await service.find(tenantId, id)
    assert.equal(unchanged.config.baseUrl, postal.baseUrl)
  })

  test('a bad URL is flashed beside its field, without the secret', async ({ client, assert }) => {
    const { tenantId, admin } = await tenantWithPeople()
    const response = await as(client.post('/console/providers'), admin)
      .header('referer', NEW_POSTAL)
      .form(postalForm('not a url'))
    response.assertStatus(302)
    response.assertHeader('location', NEW_POSTAL)
    assert.deepEqual(fieldErrors(response, 'config.baseUrl'), [
      'The Base URL field must be a valid URL',
    ])
    const flashed = response.flashMessages()
    assert.deepInclude(flashed, {
      config: { baseUrl: 'not a url', from: 'notifications@acme.test', webhookPublicKey: '' },
    })
    assert.notProperty(flashed, 'secrets')
    assert.notInclude(JSON.stringify(flashed), FAKE_POSTAL_API_KEY)
    assert.isNull(await db.from('provider_configs').where('tenant_id', tenantId).first())

    // The form shows it beside the Base URL input, and keeps what was typed
    const form = await as(client.get(NEW_POSTAL), admin).withFlashMessages(flashed)
    const html = form.text()
    assert.match(
      html,
      /id="field-config-baseUrl"[^>]*value="not a url"[^>]*aria-invalid="true"[\s\S]*?<p class="field-error" id="field-config-baseUrl-error">[^<]*URL/
    )
    assert.notInclude(html, FAKE_POSTAL_API_KEY)
  })

  test('an internal address is refused by the egress check, beside the field', async ({
    client,
    assert,
  }) => {
    const { admin } = await tenantWithPeople()
    const response = await as(client.post('/console/providers'), admin)
      .header('referer', NEW_POSTAL)
      .form(postalForm('http://169.254.169.254/'))
    response.assertStatus(302)
    assert.match(fieldErrors(response, 'config.baseUrl').join(' '), /may not be called/)
  })

  test('a service account key is pasted as JSON; one that is not JSON is an error beside it', async ({
    client,
    assert,
  }) => {
    const { tenantId, admin } = await tenantWithPeople()
    const fcmForm = (serviceAccount: string) => ({
      type: 'fcm',
      channel: 'push',
      name: 'FCM',
      config: { projectId: 'acme', baseUrl: '' },
      secrets: { serviceAccount, reportSecret: '' },
    })
    const response = await as(client.post('/console/providers'), admin)
      .header('referer', '/console/providers/new?type=fcm')
      .form(fcmForm('{ not json'))
    response.assertStatus(302)
    assert.match(fieldErrors(response, 'config.serviceAccount').join(' '), /must be JSON/)

    const privateKey = 'fcm-private-key-never-shown-4321'
    const keyFile = {
      project_id: 'acme',
      client_email: 'fcm@acme.iam.test',
      private_key: privateKey,
    }
    const id = await addThroughForm(client, admin, fcmForm(JSON.stringify(keyFile)))
    const service = await app.container.make(ProviderConfigService)
    const provider = await service.find(tenantId, id)
    assert.equal(provider.config.serviceAccount, '…4321')
    assert.notProperty(provider.config, 'reportSecret')
    const html = await pageAs(client, '/console/providers', admin)
    assert.include(html, 'Service account key (JSON)')
    assert.notInclude(html, privateKey)
  })
})

test.group('Console providers: order and state', () => {
  test('Disable and Enable change enabled; the list shows the state', async ({
    client,
    assert,
  }) => {
    const { admin } = await tenantWithPeople()
    const id = await addThroughForm(client, admin, { type: 'log', channel: 'sms', name: 'Log SMS' })

    const off = await as(client.post(`/console/providers/${id}/enabled`), admin).form({
      enabled: 'false',
    })
    off.assertStatus(302)
    assert.equal(noticeOf(off).text, 'Log SMS disabled.')
    assert.isFalse(await enabledOf(id))
    const html = await pageAs(client, '/console/providers', admin)
    assert.include(html, '<span class="badge">Disabled</span>')
    assert.include(html, '<input type="hidden" name="enabled" value="true">')

    await as(client.post(`/console/providers/${id}/enabled`), admin).form({ enabled: 'true' })
    assert.isTrue(await enabledOf(id))
  })

  test('Move up and down reorder a channel’s providers by priority', async ({ client, assert }) => {
    const { tenantId, admin } = await tenantWithPeople()
    const first = await addThroughForm(client, admin, { type: 'log', channel: 'email', name: 'A' })
    const second = await addThroughForm(client, admin, { type: 'log', channel: 'email', name: 'B' })
    const third = await addThroughForm(client, admin, { type: 'log', channel: 'email', name: 'C' })
    const order = async () => {
      const rows = await db
        .from('provider_configs')
        .where('tenant_id', tenantId)
        .orderBy([{ column: 'priority' }, { column: 'created_at' }])
        .select('name', 'priority')
      return rows.map((row) => `${row.name}${row.priority}`)
    }
    // Created with the default priority: tried by age
    assert.deepEqual(await order(), ['A0', 'B0', 'C0'])

    const up = await as(client.post(`/console/providers/${third}/move`), admin).form({
      direction: 'up',
    })
    up.assertStatus(302)
    // Tied priorities are numbered in the new order
    assert.deepEqual(await order(), ['A0', 'C1', 'B2'])

    await as(client.post(`/console/providers/${first}/move`), admin).form({ direction: 'down' })
    // Distinct ones swap
    assert.deepEqual(await order(), ['C0', 'A1', 'B2'])

    // Already last: nothing changes
    await as(client.post(`/console/providers/${second}/move`), admin).form({ direction: 'down' })
    assert.deepEqual(await order(), ['C0', 'A1', 'B2'])

    // The list shows that order, with no "up" on the first and no "down" on the last
    const html = await pageAs(client, '/console/providers', admin)
    assert.isBelow(html.indexOf('<strong>C</strong>'), html.indexOf('<strong>A</strong>'))
    assert.isBelow(html.indexOf('<strong>A</strong>'), html.indexOf('<strong>B</strong>'))
    assert.notInclude(html, 'aria-label="Move C up"')
    assert.notInclude(html, 'aria-label="Move B down"')

    const moves = await db
      .from('audit_entries')
      .whereIn('target_id', [first, second, third])
      .where('action', 'provider.updated')
    assert.lengthOf(moves, 4)
    assert.isTrue(moves.every((entry) => entry.actor_id === String(admin.id)))
  })

  test('Delete removes it, audited', async ({ client, assert }) => {
    const { admin } = await tenantWithPeople()
    const id = await addThroughForm(client, admin, { type: 'log', channel: 'push', name: 'Gone' })
    const response = await as(client.post(`/console/providers/${id}?_method=DELETE`), admin)
    response.assertStatus(302)
    assert.equal(noticeOf(response).text, 'Gone deleted.')
    assert.isNull(await db.from('provider_configs').where('id', id).first())
    assert.isNotNull(
      await db
        .from('audit_entries')
        .where('target_id', id)
        .where('action', 'provider.deleted')
        .first()
    )
  })

  test('each provider shows its gateway’s health once it has sent', async ({ client, assert }) => {
    const { admin } = await tenantWithPeople()
    const id = await addThroughForm(client, admin, { type: 'log', channel: 'email', name: 'Sends' })
    assert.include(await pageAs(client, '/console/providers', admin), 'No sends yet')

    const health = await app.container.make(GatewayHealth)
    const key = providerGatewayKey({ type: 'log', id })
    await health.record(key, true, 20)
    assert.include(await pageAs(client, '/console/providers', admin), 'Healthy')

    let failures = 0
    while ((await health.record(key, false, 20)) !== 'open') {
      assert.isBelow(++failures, 100, 'the circuit opens after repeated failures')
    }
    const html = await pageAs(client, '/console/providers', admin)
    assert.include(html, 'Circuit open')
  })
})

test.group('Console providers: who may see and change what', () => {
  test('a viewer sees the list read-only: no change buttons, and 403 for every change', async ({
    client,
    assert,
  }) => {
    const { tenantId, admin, viewer } = await tenantWithPeople()
    const id = await addThroughForm(client, admin, { type: 'log', channel: 'email', name: 'Mine' })

    const list = await as(client.get('/console/providers'), viewer)
    list.assertStatus(200)
    const html = list.text()
    assert.include(html, 'Mine')
    for (const button of ['Add a provider', 'Edit', 'Disable', 'Test connection', 'Delete']) {
      assert.notInclude(html, `>${button}<`, button)
    }
    assert.notInclude(html, '/enabled"')

    const changes = [
      client.post('/console/providers').form({ type: 'log', channel: 'email', name: 'No' }),
      client.post(`/console/providers/${id}?_method=PUT`).form({ channel: 'email', name: 'No' }),
      client.post(`/console/providers/${id}/enabled`).form({ enabled: 'false' }),
      client.post(`/console/providers/${id}/move`).form({ direction: 'up' }),
      client.post(`/console/providers/${id}/test`),
      client.post(`/console/providers/${id}?_method=DELETE`),
      client.get('/console/providers/new'),
      client.get(`/console/providers/${id}/edit`),
    ]
    for (const request of changes) {
      const response = await as(request, viewer)
      assert.equal(response.status(), 403)
    }
    const row = await db.from('provider_configs').where('tenant_id', tenantId)
    assert.deepEqual(
      row.map(({ name, enabled }) => [name, enabled]),
      [['Mine', true]]
    )
  })

  test('another tenant’s admin gets 404 for every route of a provider, which stays as it was', async ({
    client,
    assert,
  }) => {
    const { admin } = await tenantWithPeople()
    const id = await addThroughForm(client, admin, { type: 'log', channel: 'email', name: 'Ours' })
    const other = await tenantWithPeople()

    const requests = [
      client.get(`/console/providers/${id}/edit`),
      client.post(`/console/providers/${id}?_method=PUT`).form({ channel: 'email', name: 'X' }),
      client.post(`/console/providers/${id}/enabled`).form({ enabled: 'false' }),
      client.post(`/console/providers/${id}/move`).form({ direction: 'down' }),
      client.post(`/console/providers/${id}/test`),
      client.post(`/console/providers/${id}?_method=DELETE`),
    ]
    for (const request of requests) {
      const response = await as(request, other.admin)
      assert.equal(response.status(), 404)
      assert.notInclude(response.text(), 'Ours')
    }
    assert.notInclude(await pageAs(client, '/console/providers', other.admin), 'Ours')
    const row = await db.from('provider_configs').where('id', id).firstOrFail()
    assert.deepEqual([row.name, row.enabled], ['Ours', true])
  })

  test('an operator with all tenants manages the system providers; with a tenant picked, its own', async ({
    client,
    assert,
    cleanup,
  }) => {
    const { tenantId, admin } = await tenantWithPeople()
    await addThroughForm(client, admin, { type: 'log', channel: 'email', name: 'Tenant log' })
    const operator = await createConsoleUser('operator')

    const system = await pageAs(client, '/console/providers', operator)
    assert.include(system, 'System providers')
    assert.notInclude(system, 'Tenant log')

    // A system provider's address is the operator's say: an internal one is accepted
    const id = await addThroughForm(client, operator, {
      type: 'postal',
      channel: 'email',
      name: 'Internal Postal',
      config: { baseUrl: 'http://10.0.0.5:5000', from: 'noreply@example.com' },
      secrets: { apiKey: 'internal-key-0001' },
    })
    // A system provider is every tenant's fallback: left behind, later tests would route through it
    cleanup(async () => {
      await db.from('provider_configs').where('id', id).delete()
    })
    const row = await db.from('provider_configs').where('id', id).firstOrFail()
    assert.isNull(row.tenant_id)
    assert.include(await pageAs(client, '/console/providers', operator), 'Internal Postal')
    // A tenant's admin does not reach it
    const response = await as(client.get(`/console/providers/${id}/edit`), admin)
    assert.equal(response.status(), 404)

    const picked = await as(client.get('/console/providers'), operator).withSession({
      'console.tenantId': tenantId,
    })
    const html = picked.text()
    assert.include(html, 'Tenant log')
    assert.notInclude(html, 'Internal Postal')
  })
})
