import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import CommsSuppress from '#commands/comms_suppress'
import { createTenant } from '#tests/helpers/tenants'
import { runCommand } from '#tests/helpers/commands'
import {
  suppressThroughApi,
  suppressionRows,
  twoTenantsWithOwnEntries,
  uniqueTag,
} from '#tests/helpers/suppressions'

/** The recipients of a `list` table's rows (id|scope|channel|recipient|…) */
function listedRecipients(logs: string[]) {
  return logs
    .filter((line) => /^\d+\|/.test(line))
    .map((line) => line.split('|')[3])
    .sort()
}

test.group('comms:suppress', () => {
  test('add without --tenant: a global entry every tenant’s sends respect', async ({
    client,
    assert,
  }) => {
    const tag = uniqueTag()
    const { command, output } = await runCommand(CommsSuppress, [
      'add',
      '--channel=email',
      `--recipient=Ada.${tag}@Example.com`,
      '--reason=complaint',
    ])

    command.assertSucceeded()
    assert.include(output, `ada.${tag}@example.com suppressed (global)`)
    const [row] = await suppressionRows(null, `ada.${tag}@example.com`)
    assert.include(row, { reason: 'complaint', source: 'operator', tenant_id: null })

    const { headers } = await createTenant()
    const sent = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({
        channel: 'email',
        recipient: `ada.${tag}@example.com`,
        subject: 's',
        content: { text: 'x' },
      })
    assert.equal(sent.body().status, 'suppressed')
  })

  test('add with --tenant and --expires-at; adding it again changes nothing', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString()
    const argv = [
      'add',
      `--tenant=${tenant.id}`,
      '--channel=sms',
      '--recipient=+1 415 555 0199',
      `--expires-at=${expiresAt}`,
    ]

    const first = await runCommand(CommsSuppress, argv)
    const again = await runCommand(CommsSuppress, [...argv.slice(0, 4), '--reason=hard_bounce'])

    first.command.assertSucceeded()
    again.command.assertSucceeded()
    assert.include(again.output, 'was already suppressed')
    const rows = await suppressionRows(tenant.id, '+14155550199')
    assert.lengthOf(rows, 1)
    assert.equal(rows[0].reason, 'manual')
    assert.equal(new Date(rows[0].expires_at).toISOString(), expiresAt)
  })

  test('list: a tenant’s own and the global entries; without --tenant, every entry', async ({
    client,
    assert,
  }) => {
    const { mine, tag } = await twoTenantsWithOwnEntries(client)
    await runCommand(CommsSuppress, [
      'add',
      '--channel=email',
      `--recipient=everyone.${tag}@example.com`,
    ])

    const forTenant = await runCommand(CommsSuppress, [
      'list',
      `--tenant=${mine.tenant.id}`,
      `--search=${tag.toUpperCase()}`,
    ])
    const everything = await runCommand(CommsSuppress, ['list', `--search=${tag}`])
    const limited = await runCommand(CommsSuppress, ['list', `--search=${tag}`, '--limit=1'])

    forTenant.command.assertSucceeded()
    assert.deepEqual(listedRecipients(forTenant.logs), [
      `everyone.${tag}@example.com`,
      `own.${tag}@example.com`,
    ])
    assert.include(forTenant.output, '2 of 2 entries shown')
    assert.deepEqual(listedRecipients(everything.logs), [
      `everyone.${tag}@example.com`,
      `own.${tag}@example.com`,
      `theirs.${tag}@example.com`,
    ])
    assert.lengthOf(listedRecipients(limited.logs), 1)
    assert.include(limited.output, '1 of 3 entries shown')
  })

  test('remove: lifts the entry of the scope named, and only that one', async ({
    client,
    assert,
  }) => {
    const { headers, tenant } = await createTenant()
    const tag = uniqueTag()
    const recipient = `back.${tag}@example.com`
    await suppressThroughApi(client, headers, { channel: 'email', recipient })
    await runCommand(CommsSuppress, ['add', '--channel=email', `--recipient=${recipient}`])

    const removed = await runCommand(CommsSuppress, [
      'remove',
      `--tenant=${tenant.id}`,
      '--channel=email',
      `--recipient=BACK.${tag}@example.com`,
    ])

    removed.command.assertSucceeded()
    assert.lengthOf(await suppressionRows(tenant.id, recipient), 0)
    assert.lengthOf(await suppressionRows(null, recipient), 1, 'the global entry stays')

    const missing = await runCommand(CommsSuppress, [
      'remove',
      `--tenant=${tenant.id}`,
      '--channel=email',
      `--recipient=${recipient}`,
    ])
    assert.equal(missing.command.exitCode, 1)
    assert.include(missing.output, `No email entry for ${recipient}`)
  })

  test('bad input exits 1 and writes nothing: {name}')
    .with([
      {
        name: 'a recipient that does not fit the channel',
        argv: ['add', '--channel=sms', '--recipient=0612345678'],
        says: 'recipient:',
      },
      {
        name: 'an unknown reason',
        argv: ['add', '--channel=sms', '--recipient=+14155550111', '--reason=annoying'],
        says: 'reason:',
      },
      {
        name: 'an expiry in the past',
        argv: ['add', '--channel=sms', '--recipient=+14155550111', '--expires-at=2020-01-01'],
        says: 'expiresAt:',
      },
      { name: 'an unknown action', argv: ['purge'], says: 'Unknown action "purge"' },
      {
        name: 'an unknown tenant',
        argv: ['add', '--tenant=nobody', '--channel=sms', '--recipient=+14155550111'],
        says: 'No tenant nobody',
      },
    ])
    .run(async ({ assert }, { argv, says }) => {
      const before = await db.from('suppressions').count('* as count').first()
      const { command, output } = await runCommand(CommsSuppress, argv)
      assert.equal(command.exitCode, 1)
      assert.include(output, says)
      const after = await db.from('suppressions').count('* as count').first()
      assert.equal(after.count, before.count)
    })
})
