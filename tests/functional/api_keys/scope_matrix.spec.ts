import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import router from '@adonisjs/core/services/router'
import type { ApiClient } from '@japa/api-client'
import { API_KEY_SCOPES, type ApiKeyScope } from '#messaging/tenants/api_key_scopes'
import { createKey, createTenant } from '#tests/helpers/tenants'

interface ApiRoute {
  method: string
  pattern: string
  matchers: Record<string, { match?: RegExp }>
  /** What the route's `scope` middleware asks for; undefined when it has none */
  scope: ApiKeyScope | undefined
}

function usesNamed(route: { middleware: { all(): Iterable<unknown> } }, name: string) {
  return [...route.middleware.all()].some(
    (entry) => typeof entry === 'object' && entry !== null && 'name' in entry && entry.name === name
  )
}

/**
 * Every route a tenant's key opens (under /api/v1, and the push report
 * route), one row per method, with the scope its middleware names
 */
function apiRoutes(): ApiRoute[] {
  return Object.values(router.toJSON())
    .flat()
    .filter((route) => route.pattern.startsWith('/api/v1/') || usesNamed(route, 'auth'))
    .flatMap((route) => {
      const named = [...route.middleware.all()].find(
        (entry) => typeof entry === 'object' && 'name' in entry && entry.name === 'scope'
      ) as { args?: { scope?: ApiKeyScope } } | undefined
      return route.methods
        .filter((method) => method !== 'HEAD')
        .map((method) => ({
          method,
          pattern: route.pattern,
          matchers: route.matchers as ApiRoute['matchers'],
          scope: named?.args?.scope,
        }))
    })
}

/** A URL of the route, each parameter given a value its matcher accepts */
function urlOf({ pattern, matchers }: ApiRoute) {
  return pattern.replace(/:(\w+)\??/g, (_whole, name: string) => {
    const matcher = matchers[name]?.match
    const candidates = ['1', randomUUID(), 'someone@example.com']
    return candidates.find((value) => !matcher || matcher.test(value))!
  })
}

function call(client: ApiClient, route: ApiRoute, headers: Record<string, string>) {
  const request = client.request(urlOf(route), route.method as 'GET').headers(headers)
  return route.method === 'GET' || route.method === 'DELETE' ? request : request.json({})
}

function missingScope(body: { errors?: Array<{ code: string }> }) {
  return body.errors?.[0]?.code === 'E_MISSING_SCOPE'
}

test.group('Scopes: every /api/v1 route asks for one', () => {
  test('the router has /api/v1 routes and the push report route to check', ({ assert }) => {
    assert.isAbove(apiRoutes().length, 30)
    assert.include(
      apiRoutes().map((route) => route.pattern),
      '/api/webhooks/communication/firebase'
    )
  })

  test('{method} {pattern}')
    .with(apiRoutes)
    .run(async ({ client, assert }, route) => {
      assert.oneOf(route.scope, [...API_KEY_SCOPES], 'every tenant route must name its scope')
      const scope = route.scope!
      const owner = await createTenant()
      const without = await createKey(owner, {
        scopes: API_KEY_SCOPES.filter((held) => held !== scope),
      })
      const only = await createKey(owner, { scopes: [scope] })

      const refused = await call(client, route, without.headers)
      refused.assertStatus(403)
      assert.isTrue(missingScope(refused.body()), refused.text())
      assert.include(refused.body().errors[0].message, `"${scope}"`)

      const allowed = await call(client, route, only.headers)
      assert.isFalse(missingScope(allowed.body()), allowed.text())
      assert.notEqual(allowed.status(), 401)
      assert.isBelow(allowed.status(), 500, allowed.text())
    })
})

test.group('Scopes: the cases the issue names', () => {
  test('a send key cannot manage providers: 403 and no provider stored', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const sender = await createKey(owner, { scopes: ['send'] })

    const response = await client
      .post('/api/v1/providers')
      .headers(sender.headers)
      .json({ type: 'log', channel: 'sms', name: 'Logs', priority: 0, config: {} })

    response.assertStatus(403)
    assert.deepEqual(response.body(), {
      errors: [{ code: 'E_MISSING_SCOPE', message: 'This API key lacks the "manage" scope' }],
    })
    const stored = await db.from('provider_configs').where('tenant_id', owner.tenant.id)
    assert.lengthOf(stored, 0)
  })

  test('a read key reads but does not send', async ({ client, assert }) => {
    const owner = await createTenant()
    const reader = await createKey(owner, { scopes: ['read'] })

    const listed = await client.get('/api/v1/providers').headers(reader.headers)
    listed.assertStatus(200)
    const sent = await client
      .post('/api/v1/messages')
      .headers(reader.headers)
      .json({ channel: 'sms', recipient: '+14155550100', content: { text: 'hello' } })

    sent.assertStatus(403)
    assert.equal(sent.body().errors[0].code, 'E_MISSING_SCOPE')
    const stored = await db.from('messages').where('tenant_id', owner.tenant.id)
    assert.lengthOf(stored, 0)
  })

  test('a suspended tenant accepts nothing new, but still cancels, reads and manages', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const sms = { channel: 'sms', recipient: '+14155550100', content: { text: 'hello' } }
    const waiting = await client
      .post('/api/v1/messages')
      .headers(owner.headers)
      .json({ ...sms, scheduledAt: new Date(Date.now() + 3_600_000).toISOString() })
    waiting.assertStatus(201)
    owner.tenant.status = 'suspended'
    await owner.tenant.save()

    for (const path of ['/api/v1/messages', '/api/v1/messages/bulk']) {
      const refused = await client
        .post(path)
        .headers(owner.headers)
        .json(path.endsWith('bulk') ? { ...sms, recipients: [{ recipient: sms.recipient }] } : sms)
      refused.assertStatus(403)
      assert.equal(refused.body().errors[0].code, 'E_TENANT_SUSPENDED')
    }
    const canceled = await client
      .delete(`/api/v1/messages/${waiting.body().id}`)
      .headers(owner.headers)
    canceled.assertStatus(200)
    assert.equal(canceled.body().status, 'canceled')
    const listed = await client.get('/api/v1/providers').headers(owner.headers)
    listed.assertStatus(200)
    const stored = await db.from('messages').where('tenant_id', owner.tenant.id)
    assert.lengthOf(stored, 1)
  })
})
