import { test } from '@japa/runner'
import redis from '@adonisjs/redis/services/main'
import { Priority } from '#enums/priority'
import { RateLimiter } from '#messaging/routing/rate_limiter'

/** How many EVALSHA calls the Redis server has run so far */
async function evalshaCalls() {
  const info = await redis.connection().info('commandstats')
  const line = info.split('\n').find((entry) => entry.startsWith('cmdstat_evalsha:'))
  return Number(line?.match(/calls=(\d+)/)?.[1] ?? 0)
}

function limiterFor(domain: string, tenantLimit: number) {
  return new RateLimiter(
    redis.connection(),
    {
      domains: new Map([[domain, { limit: 3, windowMs: 60_000 }]]),
      defaultDomain: null,
      tenant: () => ({ limit: tenantLimit, windowMs: 60_000 }),
      bulkShare: 1,
      bulkPriorities: [],
    },
    () => 0
  )
}

test.group('Rate limiter: the takes of one turn', () => {
  test('share one script call and count as if made one after the other', async ({ assert }) => {
    const domain = `together-${Date.now()}.example`
    const limiter = limiterFor(domain, 100)
    const message = {
      tenant_id: `tenant-${domain}`,
      priority: Priority.P4,
      recipient_domain: domain,
    }
    // Loads the script, so the turn below is one EVALSHA
    await limiter.take('warm-up', [{ scope: 'gateway', key: domain, limit: 100, windowMs: 1000 }])

    const before = await evalshaCalls()
    const decisions = await Promise.all(
      ['m1', 'm2', 'm3', 'm4', 'm5'].map((member) =>
        limiter.take(member, limiter.messageBudgets(message))
      )
    )
    const calls = (await evalshaCalls()) - before

    assert.equal(calls, 1)
    assert.deepEqual(
      decisions.map((decision) => decision.allowed),
      [true, true, true, false, false]
    )
    const [fourth, fifth] = decisions.slice(3)
    assert.isFalse(fourth.allowed)
    assert.isFalse(fifth.allowed)
    if (fourth.allowed || fifth.allowed) return
    assert.equal(fourth.scope, 'domain')
    // Deferred sends get slots a window / limit apart, not the same moment
    assert.equal(fifth.retryAt.getTime() - fourth.retryAt.getTime(), 20_000)
    // The refused sends were counted in no budget, the tenant's included
    assert.equal(await redis.connection().zcard(`ratelimit:domain:${domain}`), 3)
    assert.equal(await redis.connection().zcard(`ratelimit:tenant:${message.tenant_id}`), 3)
  })

  test('a full budget of one send holds none of the others in the same turn', async ({
    assert,
  }) => {
    const domain = `mixed-${Date.now()}.example`
    const limiter = limiterFor(domain, 1)
    const budgets = (tenant: string) =>
      limiter.messageBudgets({ tenant_id: tenant, priority: Priority.P4, recipient_domain: domain })

    const decisions = await Promise.all([
      limiter.take('a1', budgets(`a-${domain}`)),
      limiter.take('a2', budgets(`a-${domain}`)),
      limiter.take('b1', budgets(`b-${domain}`)),
    ])

    assert.deepEqual(
      decisions.map((decision) => decision.allowed),
      [true, false, true]
    )
    assert.equal(decisions[1].allowed || decisions[1].scope, 'tenant')
  })

  test('a test message takes only from its tenant budget, never the shared domain one', async ({
    assert,
  }) => {
    const domain = `tests-${Date.now()}.example`
    const limiter = limiterFor(domain, 100)
    const message = { priority: Priority.P4, recipient_domain: domain }
    for (const member of ['t1', 't2', 't3', 't4']) {
      const budgets = limiter.messageBudgets({ ...message, tenant_id: 'tester', is_test: true })
      assert.deepEqual(
        budgets.map((budget) => budget.scope),
        ['tenant']
      )
      const decision = await limiter.take(member, budgets)
      assert.isTrue(decision.allowed)
    }
    const live = await limiter.take(
      'live',
      limiter.messageBudgets({ ...message, tenant_id: 'other' })
    )
    assert.isTrue(live.allowed)
    assert.equal(await redis.connection().zcard(`ratelimit:domain:${domain}`), 1)
  })
})
