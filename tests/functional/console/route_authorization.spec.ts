import { test } from '@japa/runner'
import router from '@adonisjs/core/services/router'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient, ApiResponse } from '@japa/api-client'
import type { Assert } from '@japa/assert'
import app from '@adonisjs/core/services/app'
import { DateTime } from 'luxon'
import type User from '#models/user'
import UserToken from '#models/user_token'
import { InviteUser } from '#people/invite_user'
import { newToken } from '#people/user_tokens'
import { operatorActor } from '#messaging/audit/audit_actors'
import { CONSOLE_LOGIN_PATH, CONSOLE_PREFIX } from '#console/console_paths'
import { GatewayType } from '#enums/gateway_type'
import { Channel } from '#enums/channel'
import { createConsoleUser } from '#tests/helpers/console_users'
import { createTenant } from '#tests/helpers/tenants'
import { acceptMessage } from '#tests/helpers/messages'
import { createProviderConfig } from '#tests/helpers/webhooks'

/*
 * Generated from the router's own list: every console route is checked, and a
 * route added without a line in PARAMS_OF below fails this file instead of
 * going unchecked.
 */

type Resource = 'message' | 'provider' | 'user' | 'tenant' | 'inviteToken' | 'resetToken'

/**
 * What fills each console route's params, by pattern (`{}` when it has none).
 * The resources are tenant A's; ANOTHER tenant's admin must not reach them.
 */
const PARAMS_OF: Record<string, Record<string, Resource>> = {
  '/console/login': {},
  '/console/two-factor': {},
  '/console/password/forgot': {},
  '/console/password/reset/:token': { token: 'resetToken' },
  '/console/invites/:token': { token: 'inviteToken' },
  '/console/logout': {},
  '/console': {},
  '/console/overview/live': {},
  '/console/account': {},
  '/console/account/password': {},
  '/console/account/two-factor': {},
  '/console/messages': {},
  '/console/messages/:id': { id: 'message' },
  '/console/messages/:id/timeline': { id: 'message' },
  '/console/messages/:id/cancel': { id: 'message' },
  '/console/messages/:id/retry': { id: 'message' },
  '/console/providers': {},
  '/console/providers/new': {},
  '/console/providers/:id': { id: 'provider' },
  '/console/providers/:id/edit': { id: 'provider' },
  '/console/providers/:id/enabled': { id: 'provider' },
  '/console/providers/:id/move': { id: 'provider' },
  '/console/providers/:id/test': { id: 'provider' },
  '/console/users': {},
  '/console/users/invites': {},
  '/console/users/:id': { id: 'user' },
  '/console/users/:id/enable': { id: 'user' },
  '/console/tenant': {},
  '/console/tenants': {},
  '/console/tenants/:id': { id: 'tenant' },
  '/console/tenants/:id/suspend': { id: 'tenant' },
  '/console/tenants/:id/resume': { id: 'tenant' },
}

/** The signed-out pages (consoleGuest): they answer a visitor, and send a signed-in person home. */
const SIGNED_OUT_PAGES = [
  '/console/login',
  '/console/two-factor',
  '/console/password/forgot',
  '/console/password/reset/:token',
  '/console/invites/:token',
]

/**
 * Changes a person makes to their own session or account, whatever their role
 * (a viewer may sign out, change their password, turn their two-factor on or
 * off), so not 403: signing out goes to the sign-in page, and the others'
 * empty forms go back with their errors, which shows the role let them in.
 */
const SIGN_OUT = 'POST /console/logout'
const SELF_SERVICE = [
  SIGN_OUT,
  'PUT /console/account/password',
  'POST /console/account/two-factor',
  'DELETE /console/account/two-factor',
]

/**
 * Changes without a resource param act in the caller's own tenant (the tenant
 * comes from the session, never the request), so another tenant's admin
 * reaches no one else's data through them: an empty form goes back with its
 * errors (so the role let them in), neither 403 nor 404.
 */
const OWN_TENANT_CHANGES = ['POST /console/providers', 'POST /console/users/invites']

/** Operators only: every non-operator (another tenant's admin too) gets 403, resource or not. */
const isOperatorOnly = (pattern: string) =>
  pattern === '/console/tenant' || pattern.startsWith('/console/tenants')

interface ConsoleRoute {
  method: string
  pattern: string
}

function consoleRoutes(): ConsoleRoute[] {
  return Object.values(router.toJSON())
    .flat()
    .filter(({ pattern }) => pattern === CONSOLE_PREFIX || pattern.startsWith(`${CONSOLE_PREFIX}/`))
    .flatMap(({ pattern, methods }) =>
      methods.filter((method) => method !== 'HEAD').map((method) => ({ method, pattern }))
    )
}

const isChange = ({ method }: ConsoleRoute) => method !== 'GET'
const keyOf = ({ method, pattern }: ConsoleRoute) => `${method} ${pattern}`

/** Tenant A and one resource of each kind; B's admin; A's viewer. */
async function fixtures(client: ApiClient) {
  const tenantAName = `Tenant A ${Date.now()}`
  const tenantA = await createTenant(tenantAName)
  const messageId = await acceptMessage(client, tenantA.headers, {
    channel: 'email',
    recipient: 'someone@example.com',
    subject: 'Hello',
    content: { text: 'Hello' },
  })
  const provider = await createProviderConfig(GatewayType.Log, Channel.Email, {}, tenantA.tenant.id)
  const userOfA = await createConsoleUser('agent', tenantA.tenant.id)
  const viewerOfA = await createConsoleUser('viewer', tenantA.tenant.id)
  const tenantB = await createTenant('Tenant B')
  const adminOfB = await createConsoleUser('admin', tenantB.tenant.id)
  const resources: Record<Resource, string> = {
    message: messageId,
    provider: provider.id,
    user: String(userOfA.id),
    tenant: tenantA.tenant.id,
    inviteToken: await inviteToken(tenantA.tenant.id),
    resetToken: await resetToken(userOfA),
  }
  return { tenantA: tenantA.tenant.id, tenantAName, resources, viewerOfA, adminOfB }
}

/** A working invite link's token, made by the invite action the console uses */
async function inviteToken(tenantId: string) {
  const inviteUser = await app.container.make(InviteUser)
  const { url } = await inviteUser.handle(
    { tenantId, email: `invited-${Date.now()}@console.test`, role: 'viewer' },
    operatorActor()
  )
  return url.slice(url.lastIndexOf('/') + 1)
}

/** A working reset link's token for the user, stored as PasswordReset stores one (hash only) */
async function resetToken(user: User) {
  const { token, hash } = newToken()
  await UserToken.create({
    kind: 'password_reset',
    tokenHash: hash,
    userId: user.id,
    tenantId: user.tenantId,
    email: user.email,
    expiresAt: DateTime.now().plus({ hours: 1 }),
  })
  return token
}

/** The route's URL with tenant A's resources for its params; fails for a pattern not in PARAMS_OF. */
function urlOf(route: ConsoleRoute, resources: Record<Resource, string>) {
  const params = PARAMS_OF[route.pattern]
  if (!params) {
    throw new Error(
      `${keyOf(route)} is a console route this test does not know: add its pattern to PARAMS_OF in ` +
        'tests/functional/console/route_authorization.spec.ts (and, if it is not an admin-only ' +
        'change, to the exceptions beside it) so its authorization is checked'
    )
  }
  return route.pattern.replace(/:(\w+)/g, (_, name: string) => {
    const resource = params[name]
    if (!resource) throw new Error(`${keyOf(route)}: PARAMS_OF names no fixture for :${name}`)
    return encodeURIComponent(resources[resource])
  })
}

/** A signed-in change with a valid CSRF token and an empty form. */
function signedInChange(client: ApiClient, route: ConsoleRoute, url: string, user: User) {
  return client
    .request(url, route.method as 'POST')
    .withGuard('web')
    .loginAs(user)
    .withCsrfToken()
    .redirects(0)
}

/** A form that got past the role check: sent back with its validation errors */
function assertWentBackWithErrors(assert: Assert, response: ApiResponse, route: string) {
  assert.equal(response.status(), 302, route)
  assert.isNotEmpty(response.flashMessage('inputErrorsBag') ?? {}, `${route}: its form's errors`)
}

/** Tenant A's rows the changes above must leave exactly as they were. */
async function snapshotOf(tenantId: string, resources: Record<Resource, string>) {
  return {
    tenant: await db.from('tenants').where('id', tenantId).select('status', 'name').first(),
    message: await db.from('messages').where('id', resources.message).select('status').first(),
    provider: await db
      .from('provider_configs')
      .where('id', resources.provider)
      .select('enabled', 'priority', 'name', 'tenant_id')
      .first(),
    users: await db
      .from('users')
      .where('tenant_id', tenantId)
      .orderBy('id')
      .select('id', 'role', 'disabled_at'),
  }
}

test.group('Console authorization, route by route', () => {
  test('every console route has its params’ fixtures here', ({ assert }) => {
    const routes = consoleRoutes()
    assert.isAbove(routes.length, 30)
    const unknown = routes.filter(({ pattern }) => !(pattern in PARAMS_OF)).map(keyOf)
    assert.deepEqual(
      unknown,
      [],
      `add these console routes to PARAMS_OF in this file so their authorization is checked: ${unknown.join(', ')}`
    )
  })

  test('every console page answers a signed-out visitor with 302 to the sign-in page', async ({
    client,
    assert,
  }) => {
    const { resources } = await fixtures(client)
    const pages = consoleRoutes().filter((route) => !isChange(route))
    for (const route of pages.filter(({ pattern }) => !SIGNED_OUT_PAGES.includes(pattern))) {
      const response = await client.get(urlOf(route, resources)).redirects(0)
      assert.equal(response.status(), 302, keyOf(route))
      assert.equal(response.header('location'), CONSOLE_LOGIN_PATH, keyOf(route))
    }
    // The sign-in pages themselves answer the visitor (the invite and reset links are working
    // ones), or send them to another signed-out page (the two-factor step without a password step)
    for (const route of pages.filter(({ pattern }) => SIGNED_OUT_PAGES.includes(pattern))) {
      const response = await client.get(urlOf(route, resources)).redirects(0)
      if (response.status() === 200) {
        assert.include(response.header('content-type'), 'text/html', keyOf(route))
        continue
      }
      assert.equal(response.status(), 302, keyOf(route))
      const location = new URL(response.header('location') ?? '', 'http://console.test').pathname
      assert.isTrue(
        SIGNED_OUT_PAGES.some((page) =>
          new RegExp(`^${page.replace(/:\w+/g, '[^/]+')}$`).test(location)
        ),
        `${keyOf(route)} redirects to ${location}, which is not a signed-out page`
      )
    }
  })

  test('a viewer gets 403 from every console change (and tenant A stays as it was)', async ({
    client,
    assert,
  }) => {
    const { tenantA, resources, viewerOfA } = await fixtures(client)
    const before = await snapshotOf(tenantA, resources)
    const changes = consoleRoutes().filter(isChange)
    assert.isAbove(changes.length, 15)

    for (const route of changes) {
      const response = await signedInChange(client, route, urlOf(route, resources), viewerOfA)
      if (SIGNED_OUT_PAGES.includes(route.pattern)) {
        // The sign-in forms are for signed-out visitors: a signed-in person is sent home, or back
        // to the invite's page, which says who is signed in and offers to sign out first
        const invite = route.pattern === '/console/invites/:token'
        assert.equal(response.status(), 302, keyOf(route))
        assert.equal(
          response.header('location'),
          invite ? urlOf(route, resources) : CONSOLE_PREFIX,
          keyOf(route)
        )
        continue
      }
      if (keyOf(route) === SIGN_OUT) {
        assert.equal(response.status(), 302, keyOf(route))
        assert.equal(response.header('location'), CONSOLE_LOGIN_PATH, keyOf(route))
        continue
      }
      if (SELF_SERVICE.includes(keyOf(route))) {
        assertWentBackWithErrors(assert, response, keyOf(route))
        continue
      }
      assert.equal(response.status(), 403, keyOf(route))
    }
    assert.deepEqual(await snapshotOf(tenantA, resources), before)
  })

  test('another tenant’s admin gets 404 for tenant A’s resources (and 403 from operator pages)', async ({
    client,
    assert,
  }) => {
    const { tenantA, tenantAName, resources, adminOfB } = await fixtures(client)
    const before = await snapshotOf(tenantA, resources)
    const changes = consoleRoutes()
      .filter(isChange)
      .filter(({ pattern }) => !SIGNED_OUT_PAGES.includes(pattern))
      // Self-service changes act on the caller's own session or account only (checked above)
      .filter((route) => !SELF_SERVICE.includes(keyOf(route)))
    let withResource = 0

    for (const route of changes) {
      const response = await signedInChange(client, route, urlOf(route, resources), adminOfB)
      if (isOperatorOnly(route.pattern)) {
        assert.equal(response.status(), 403, `${keyOf(route)} is for operators only`)
      } else if (Object.keys(PARAMS_OF[route.pattern]).length > 0) {
        withResource += 1
        assert.equal(response.status(), 404, `${keyOf(route)} with tenant A's resource`)
        assert.notInclude(response.text(), tenantAName, keyOf(route))
      } else if (OWN_TENANT_CHANGES.includes(keyOf(route))) {
        // Nothing to name: it works in B's own tenant, and an empty form goes back with errors
        assertWentBackWithErrors(assert, response, keyOf(route))
      } else {
        assert.fail(
          `${keyOf(route)} names no resource and is neither an operator page nor listed in ` +
            'OWN_TENANT_CHANGES: say in this file what another tenant’s admin gets from it'
        )
      }
    }
    assert.isAbove(withResource, 8)
    assert.deepEqual(await snapshotOf(tenantA, resources), before)
  })

  test('a sign-in without a CSRF token is refused with 403 and signs nobody in', async ({
    client,
    assert,
  }) => {
    const { viewerOfA } = await fixtures(client)
    const response = await client
      .post(CONSOLE_LOGIN_PATH)
      .form({ email: viewerOfA.email, password: 'correct horse battery staple' })
      .redirects(0)
    assert.equal(response.status(), 403)
    assert.include(response.text(), 'Form expired')

    // Whatever cookies came back do not open the console
    const cookies = [response.header('set-cookie') ?? []]
      .flat()
      .map((cookie: string) => cookie.split(';')[0])
      .join('; ')
    const after = await client.get(CONSOLE_PREFIX).header('cookie', cookies).redirects(0)
    assert.equal(after.status(), 302)
    assert.equal(after.header('location'), CONSOLE_LOGIN_PATH)
    const user = await db.from('users').where('id', viewerOfA.id).select('last_sign_in_at').first()
    assert.isNull(user.last_sign_in_at)
  })
})
