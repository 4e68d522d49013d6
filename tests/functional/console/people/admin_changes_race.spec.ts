import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'
import { CONSOLE_TEST_PASSWORD, createConsoleUser } from '#tests/helpers/console_users'
import { ConsoleAgent } from '#tests/helpers/console_agent'

const ROUNDS = 10

/** A tenant's only two admins, each signed in on the users page */
async function twoAdmins() {
  const { tenant } = await createTenant()
  const admins = [
    await createConsoleUser('admin', tenant.id),
    await createConsoleUser('admin', tenant.id),
  ]
  const agents = admins.map(() => new ConsoleAgent())
  for (const [index, agent] of agents.entries()) {
    await agent.signIn(admins[index].email, CONSOLE_TEST_PASSWORD)
    await agent.get('/console/users')
  }
  return { tenant, admins, agents }
}

async function enabledAdmins(tenantId: string) {
  return db
    .from('users')
    .where({ tenant_id: tenantId, role: 'admin' })
    .whereNull('disabled_at')
    .select('id')
}

test.group('Console users: two admins changing each other at once', () => {
  test('demoting or disabling each other at the same moment: no deadlock (500), and the tenant keeps one admin', async ({
    assert,
  }) => {
    for (let round = 0; round < ROUNDS; round++) {
      const { tenant, admins, agents } = await twoAdmins()
      // Even rounds: each demotes the other; odd rounds: one demotes, the other disables
      const answers = await Promise.all([
        agents[0].post(`/console/users/${admins[1].id}?_method=PUT`, { role: 'viewer' }),
        round % 2 === 0
          ? agents[1].post(`/console/users/${admins[0].id}?_method=PUT`, { role: 'viewer' })
          : agents[1].post(`/console/users/${admins[0].id}?_method=DELETE`),
      ])
      for (const answer of answers) {
        // Done, refused beside the form (the last admin), or 403 for one no longer an admin
        assert.include([302, 403], answer.status, `round ${round}: ${answer.html.slice(0, 300)}`)
      }
      assert.lengthOf(await enabledAdmins(tenant.id), 1, `round ${round}`)
    }
  })
})
