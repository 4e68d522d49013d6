import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative, sep } from 'node:path'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { ArchiveDirectory, type ArchivedMessage } from '#messaging/archive/archive_directory'
import { createTenant } from '#tests/helpers/tenants'
import { truncateMessages } from '#tests/helpers/database'
import { runCommand } from '#tests/helpers/commands'

const DAY = 24 * 60 * 60 * 1000

interface Seeded {
  id: string
  daysAgo: number
}

/** A message row as the API would have stored it `daysAgo` days ago, with `events` events. */
async function seedMessage(
  tenantId: string,
  status: string,
  daysAgo: number,
  { events = 2, parentId = null }: { events?: number; parentId?: string | null } = {}
): Promise<Seeded> {
  const id = randomUUID()
  const createdAt = new Date(Date.now() - daysAgo * DAY)
  await db.table('messages').insert({
    id,
    tenant_id: tenantId,
    channel: 'email',
    priority: 'P2',
    message_type: 'transactional',
    recipient: `${id}@example.com`,
    recipient_domain: 'example.com',
    subject: 'Archived one day',
    content: JSON.stringify({ text: `body of ${id}`, html: '<p>é ✓</p>' }),
    status,
    parent_message_id: parentId,
    metadata: JSON.stringify({ order: 42 }),
    created_at: createdAt,
    updated_at: createdAt,
  })
  if (events > 0) {
    await db.table('delivery_events').multiInsert(
      Array.from({ length: events }, (_, index) => ({
        message_id: id,
        tenant_id: tenantId,
        type: index === 0 ? 'sent' : 'delivered',
        source: index === 0 ? 'internal' : 'ses',
        payload: JSON.stringify({ raw: `event ${index} of ${id}`, nested: { n: index } }),
        occurred_at: createdAt,
        created_at: createdAt,
      }))
    )
  }
  return { id, daysAgo }
}

/** The rows as PostgreSQL renders them, the way an archive line must hold them. */
async function snapshot(ids: string[]): Promise<ArchivedMessage[]> {
  const messages = await db.rawQuery(
    'SELECT to_jsonb(m) AS row FROM messages m WHERE m.id = ANY(?::uuid[]) ORDER BY m.id',
    [ids]
  )
  const events = await db.rawQuery(
    `SELECT to_jsonb(e) AS row FROM delivery_events e
      WHERE e.message_id = ANY(?::uuid[]) ORDER BY e.id`,
    [ids]
  )
  return messages.rows.map(({ row }: { row: ArchivedMessage['message'] }) => ({
    message: row,
    events: events.rows
      .map((event: { row: Record<string, unknown> }) => event.row)
      .filter((event: Record<string, unknown>) => event.message_id === row.id),
  }))
}

/** Every archive file under `root` (staging excluded), relative path → its records. */
async function archiveFiles(root: string) {
  const files = new Map<string, ArchivedMessage[]>()
  const names = await readdir(root, { recursive: true, withFileTypes: true })
  for (const entry of names) {
    const path = join(entry.parentPath, entry.name)
    if (!entry.isFile() || relative(root, path).startsWith('.staging')) continue
    files.set(relative(root, path), await ArchiveDirectory.read(path))
  }
  return files
}

function byId(records: ArchivedMessage[]) {
  return [...records].sort((a, b) => a.message.id.localeCompare(b.message.id))
}

async function remainingIds(table: 'messages' | 'delivery_events', column: string) {
  const rows = await db.from(table).select(column).orderBy(column)
  return rows.map((row) => row[column])
}

async function archive(...argv: string[]) {
  const { command, logs } = await runCommand('comms:archive', argv)
  command.assertSucceeded()
  return logs
}

test.group('comms:archive', (group) => {
  let root: string

  group.each.setup(async () => {
    await truncateMessages()
    root = await mkdtemp(join(tmpdir(), 'switchboard-archive-'))
    const configured = app.config.get<string>('messaging.archive.dir')
    app.config.set('messaging.archive.dir', root)
    return async () => {
      app.config.set('messaging.archive.dir', configured)
      await rm(root, { recursive: true, force: true })
    }
  })

  test('moves old final messages and their events to files that read back whole, and only those', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const due = [
      await seedMessage(tenant.id, 'sent', 120),
      await seedMessage(tenant.id, 'delivered', 120.01, { events: 3 }),
      await seedMessage(tenant.id, 'failed', 119),
      await seedMessage(tenant.id, 'canceled', 110, { events: 0 }),
      await seedMessage(tenant.id, 'suppressed', 100),
    ]
    // An old parent whose (old, final) child goes first; an old parent of a recent message stays
    const archivedParent = await seedMessage(tenant.id, 'failed', 105)
    due.push(
      archivedParent,
      await seedMessage(tenant.id, 'sent', 104, { parentId: archivedParent.id })
    )
    const keptParent = await seedMessage(tenant.id, 'failed', 103)
    const kept = [
      keptParent,
      await seedMessage(tenant.id, 'sent', 2, { parentId: keptParent.id }),
      await seedMessage(tenant.id, 'delivered', 30),
      await seedMessage(tenant.id, 'queued', 120),
      await seedMessage(tenant.id, 'sending', 120),
      await seedMessage(tenant.id, 'scheduled', 100),
    ]
    const expected = await snapshot(due.map((message) => message.id))
    const keptEvents = await db
      .from('delivery_events')
      .whereIn(
        'message_id',
        kept.map((message) => message.id)
      )
      .orderBy('id')
      .select('id')

    const dryRun = await archive('--dry-run', '--older-than-days=90')
    assert.match(dryRun.join('\n'), /7 messages created before .* and 13 events would be archived/)
    assert.lengthOf(await remainingIds('messages', 'id'), due.length + kept.length)
    const afterDryRun = await archiveFiles(root)
    assert.equal(afterDryRun.size, 0, 'a dry run writes nothing')

    const logs = await archive('--older-than-days=90', '--batch-size=2')
    assert.match(logs.join('\n'), /7\/7 messages archived/)

    const files = await archiveFiles(root)
    const written = [...files.values()].flat()
    assert.deepEqual(byId(written), byId(expected), 'every archived row, whole, exactly once')
    for (const [path, records] of files) {
      const [day, name] = path.split(sep)
      assert.match(name, /^messages-[0-9a-f-]{36}\.jsonl\.gz$/)
      for (const { message } of records) {
        assert.equal(new Date(message.created_at as string).toISOString().slice(0, 10), day)
      }
    }
    const inserted = written.find((record) => record.message.id === due[1].id)!
    assert.deepEqual(inserted.message.content, { text: `body of ${due[1].id}`, html: '<p>é ✓</p>' })
    assert.deepEqual(inserted.events[2].payload, {
      raw: `event 2 of ${due[1].id}`,
      nested: { n: 2 },
    })

    assert.sameMembers(
      await remainingIds('messages', 'id'),
      kept.map((message) => message.id)
    )
    assert.deepEqual(
      await remainingIds('delivery_events', 'id'),
      keptEvents.map((event) => event.id)
    )
    assert.deepEqual(await readdir(join(root, '.staging')), [])

    await archive('--older-than-days=90', '--batch-size=2')
    const again = await archiveFiles(root)
    assert.deepEqual(
      [...again.keys()].sort(),
      [...files.keys()].sort(),
      'a second run writes nothing'
    )
    assert.lengthOf(await remainingIds('messages', 'id'), kept.length)
  })

  test('a rerun settles what a crash left: lost temp files, staged files before and after the delete', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const notDeleted = await seedMessage(tenant.id, 'delivered', 200)
    const deleted = await seedMessage(tenant.id, 'failed', 201)
    const untouched = await seedMessage(tenant.id, 'sent', 202)
    const expected = await snapshot([notDeleted.id, deleted.id, untouched.id])
    const recordOf = (id: string) => expected.find((record) => record.message.id === id)!
    const dayOf = (id: string) =>
      new Date(recordOf(id).message.created_at as string).toISOString().slice(0, 10)
    const directory = new ArchiveDirectory(root)

    // Crash after staging, before the delete committed: the rows are still here
    await directory.stage(dayOf(notDeleted.id), [recordOf(notDeleted.id)])
    // Crash after the delete committed, before the file reached its day
    await directory.stage(dayOf(deleted.id), [recordOf(deleted.id)])
    await db.transaction(async (trx) => {
      await trx.rawQuery(`SET LOCAL switchboard.archiving = 'on'`)
      await trx.from('delivery_events').where('message_id', deleted.id).delete()
      await trx.from('messages').where('id', deleted.id).delete()
    })
    // Crash while writing a file
    await writeFile(join(root, '.staging', 'half-written.jsonl.gz.tmp'), 'not gzip')

    const logs = await archive('--older-than-days=90')
    assert.match(logs.join('\n'), /1 files completed, 1 discarded/)

    const files = await archiveFiles(root)
    const written = [...files.values()].flat()
    assert.deepEqual(byId(written), byId(expected), 'each message archived once, whole')
    assert.deepEqual(await remainingIds('messages', 'id'), [])
    assert.deepEqual(await readdir(join(root, '.staging')), [])
  })
})
