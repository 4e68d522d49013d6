import { test } from '@japa/runner'
import Tenant from '#models/tenant'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import { runCommand } from '#tests/helpers/commands'

const APP_URL = process.env.APP_URL ?? `http://127.0.0.1:${process.env.PORT}`

/** One GET on a cheap read route, through the real HTTP server */
async function read({ headers }: TestTenant) {
  const response = await fetch(`${APP_URL}/api/v1/providers`, { headers })
  const body = (await response.json()) as { errors?: Array<{ code: string }> }
  return { status: response.status, headers: response.headers, body }
}

/** The RateLimit-Limit header of one read, null when the tenant has no limit */
async function limitHeader(tenant: TestTenant) {
  const reply = await read(tenant)
  return reply.headers.get('ratelimit-limit')
}

async function readStatus(tenant: TestTenant) {
  const reply = await read(tenant)
  return reply.status
}

async function setApiLimit(tenant: TestTenant, value: string) {
  const { command } = await runCommand('tenants:set', [
    tenant.tenant.id,
    `--api-rate-limit=${value}`,
  ])
  command.assertSucceeded()
}

test.group('API rate limit per tenant', () => {
  test('a burst of 400 from a tenant limited to 20/1 gets 429s with Retry-After; another tenant’s requests all succeed', async ({
    assert,
  }) => {
    const limited = await createTenant('Limited')
    const neighbour = await createTenant('Neighbour')
    await setApiLimit(limited, '20/1')
    await setApiLimit(neighbour, '20/1')

    const [burst, others] = await Promise.all([
      Promise.all(Array.from({ length: 400 }, () => read(limited))),
      Promise.all(Array.from({ length: 15 }, () => read(neighbour))),
    ])

    const refused = burst.filter((reply) => reply.status === 429)
    const served = burst.filter((reply) => reply.status === 200)
    assert.equal(refused.length + served.length, 400)
    assert.isAtLeast(served.length, 20)
    assert.isAbove(refused.length, 0)
    for (const reply of refused) {
      assert.deepEqual(
        reply.body.errors?.map((error) => error.code),
        ['E_RATE_LIMITED']
      )
      assert.isAtLeast(Number(reply.headers.get('retry-after')), 1)
      assert.equal(reply.headers.get('ratelimit-limit'), '20')
      assert.equal(reply.headers.get('ratelimit-remaining'), '0')
      assert.isAtLeast(Number(reply.headers.get('ratelimit-reset')), 1)
    }
    for (const reply of served) {
      assert.equal(reply.headers.get('ratelimit-limit'), '20')
      assert.isAtLeast(Number(reply.headers.get('ratelimit-remaining')), 0)
    }
    assert.deepEqual(
      others.map((reply) => reply.status),
      others.map(() => 200)
    )
  })

  test('a new limit applies at the next request; none lifts it, with no RateLimit headers', async ({
    assert,
  }) => {
    const tenant = await createTenant()
    assert.isNull(await limitHeader(tenant))

    await setApiLimit(tenant, '1/60')
    assert.equal(await readStatus(tenant), 200)
    const over = await read(tenant)
    assert.equal(over.status, 429)
    assert.isAtLeast(Number(over.headers.get('retry-after')), 1)

    await setApiLimit(tenant, 'none')
    const lifted = await read(tenant)
    assert.equal(lifted.status, 200)
    assert.isNull(lifted.headers.get('ratelimit-limit'))
  })

  test('TENANT_API_RATE_LIMIT applies to a tenant without its own limit; default goes back to it', async ({
    assert,
  }) => {
    const tenant = await createTenant()
    await setApiLimit(tenant, '7/60')
    await setApiLimit(tenant, 'default')
    const stored = await Tenant.findOrFail(tenant.tenant.id)
    assert.notProperty(stored.settings, 'apiRateLimit')
    // .env.test sets TENANT_API_RATE_LIMIT=none
    assert.isNull(await limitHeader(tenant))
  })

  test('a limit that cannot be read (written by SQL) falls back to the default, never a 500', async ({
    assert,
  }) => {
    const tenant = await createTenant()
    for (const apiRateLimit of ['fast', '5/0.5', 7]) {
      await Tenant.query().where('id', tenant.tenant.id).update({ settings: { apiRateLimit } })
      const reply = await read(tenant)
      assert.equal(reply.status, 200, String(apiRateLimit))
      // .env.test sets TENANT_API_RATE_LIMIT=none
      assert.isNull(reply.headers.get('ratelimit-limit'))
    }
    // tenants:list (another test) reads every tenant's settings
    await Tenant.query().where('id', tenant.tenant.id).update({ settings: {} })
  })

  test('the push report route, which takes the tenant’s key, counts against the same limit', async ({
    assert,
  }) => {
    const tenant = await createTenant()
    await setApiLimit(tenant, '1/60')
    assert.equal(await readStatus(tenant), 200)
    const response = await fetch(`${APP_URL}/api/webhooks/communication/firebase`, {
      method: 'POST',
      headers: { ...tenant.headers, 'content-type': 'application/json' },
      body: JSON.stringify({}),
    })
    assert.equal(response.status, 429)
    const body = (await response.json()) as { errors: Array<{ code: string }> }
    assert.equal(body.errors[0].code, 'E_RATE_LIMITED')
  })
})
