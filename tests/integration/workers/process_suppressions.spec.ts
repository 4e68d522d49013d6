import { test } from '@japa/runner'
import type { ApiClient } from '@japa/api-client'
import ace from '@adonisjs/core/services/ace'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'
import { truncateMessages } from '#tests/helpers/database'

async function processSuppressions(...flags: string[]) {
  const command = await ace.exec('comms:process-suppressions', flags)
  if (command.exitCode !== 0) throw command.error ?? new Error('command failed')
}

/** A sent email to `recipient` with provider events recorded but no suppression (a bulk import, a crash) */
async function sentEmailWithEvents(
  client: ApiClient,
  headers: Record<string, string>,
  recipient: string,
  types: string[]
) {
  const created = await client
    .post('/api/v1/messages')
    .headers(headers)
    .json({ channel: 'email', recipient, subject: 's', content: { text: 'x' } })
  const message = created.body()
  await db.table('delivery_events').multiInsert(
    types.map((type, index) => ({
      message_id: message.id,
      tenant_id: message.tenantId,
      type,
      source: 'ses',
      provider_event_id: `${message.id}-${index}`,
    }))
  )
  return message
}

async function suppressionsOf(tenantId: string) {
  return db.from('suppressions').where('tenant_id', tenantId).orderBy('recipient')
}

test.group('comms:process-suppressions', (group) => {
  group.each.setup(() => truncateMessages())

  test('hard bounces, complaints and soft-bounce streaks land on the list, once', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    await sentEmailWithEvents(client, headers, 'hard@example.com', ['bounced'])
    await sentEmailWithEvents(client, headers, 'angry@example.com', ['complained'])
    await sentEmailWithEvents(client, headers, 'full@example.com', ['soft_bounced', 'soft_bounced'])
    await sentEmailWithEvents(client, headers, 'full@example.com', ['soft_bounced'])
    await sentEmailWithEvents(client, headers, 'twice@example.com', [
      'soft_bounced',
      'soft_bounced',
    ])

    await processSuppressions('--dry-run')
    assert.lengthOf(await suppressionsOf(tenant.id), 0, 'a dry run writes nothing')

    await processSuppressions()
    await processSuppressions()

    const rows = await suppressionsOf(tenant.id)
    assert.deepEqual(
      rows.map((row) => [row.recipient, row.reason]),
      [
        ['angry@example.com', 'complaint'],
        ['full@example.com', 'soft_bounce'],
        ['hard@example.com', 'hard_bounce'],
      ]
    )
  })
})
