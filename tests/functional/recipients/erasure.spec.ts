import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { DeliveryEventType } from '#enums/delivery_event_type'
import { ArchiveDirectory } from '#messaging/archive/archive_directory'
import { ARCHIVE_LOCK, lockArchive } from '#messaging/archive/archive_lock'
import { MessageStore } from '#messaging/outbox/message_store'
import { suppressionHash } from '#messaging/suppression/suppression_hash'
import { runCommand } from '#tests/helpers/commands'
import { registerEndpoint } from '#tests/helpers/tenant_webhooks'
import { acceptMessage } from '#tests/helpers/messages'
import { suppressThroughApi, uniqueTag } from '#tests/helpers/suppressions'
import { createKey, createTenant } from '#tests/helpers/tenants'
import {
  archiveFilesHolding,
  deliveredEmail,
  eraseThroughApi,
  inboundEmail,
  queuedEmail,
  redisKeysHolding,
  tablesHolding,
  temporaryArchiveDir,
} from '#tests/helpers/erasure'

const DAY = 24 * 60 * 60 * 1000

/** A tenant webhook endpoint of the tenant's, and one attempt that reported a message */
async function webhookAttemptAbout(
  client: ApiClient,
  headers: Record<string, string>,
  messageId: string,
  recipient: string
) {
  const endpoint = await registerEndpoint(client, headers, {
    url: 'https://hooks.example.com/switchboard',
    eventTypes: ['message.bounced'],
  })
  await db.table('webhook_deliveries').insert({
    endpoint_id: endpoint.id,
    event_id: '1',
    event_type: 'message.bounced',
    payload: JSON.stringify({ id: '1', data: { messageId, recipient } }),
    attempt: 1,
    status_code: 500,
    error: `endpoint refused ${recipient}`,
    duration_ms: 12,
  })
}

test.group('Erasure of a recipient', (group) => {
  let archive: Awaited<ReturnType<typeof temporaryArchiveDir>>
  group.each.setup(async () => {
    archive = await temporaryArchiveDir()
    return () => archive.restore()
  })

  test('leaves the address and the content in no table, archive file or Redis key; ids and counts stay', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const tag = uniqueTag()
    const address = `ada.${tag}@example.com`
    const body = `private words ${tag}`

    const archived = await deliveredEmail(
      tenant.id,
      address,
      body,
      new Date(Date.now() - 400 * DAY)
    )
    const archiving = await runCommand('comms:archive', ['--older-than-days=365'])
    archiving.command.assertSucceeded()
    const delivered = await deliveredEmail(tenant.id, address, body)
    const inbound = await inboundEmail(tenant.id, address, body)
    const queued = await acceptMessage(client, headers, {
      channel: 'email',
      recipient: `Ada.${tag}@Example.com`,
      subject: `Hello ${tag}`,
      content: { text: body },
    })
    const fallingBack = await acceptMessage(client, headers, {
      channel: 'sms',
      recipient: '+14155550100',
      subject: 'Short',
      content: { text: 'short' },
      fallback: [{ channel: 'email', recipient: address }],
    })
    await webhookAttemptAbout(client, headers, delivered.id, address)
    const suppressed = await suppressThroughApi(client, headers, {
      channel: 'email',
      recipient: address,
    })
    suppressed.assertStatus(201)
    assert.isNotEmpty(await archiveFilesHolding(archive.root, address))

    const erased = await eraseThroughApi(client, headers, address.toUpperCase())

    erased.assertStatus(200)
    assert.properties(erased.body(), ['erasureId', 'counts'])
    assert.containsSubset(erased.body().counts, {
      messages: 2,
      inboundMessages: 1,
      canceled: 1,
      contacts: 1,
      conversations: 1,
      webhookPayloads: 1,
      suppressions: 1,
      archiveFiles: 1,
    })
    assert.isAtLeast(erased.body().counts.events, 4)
    for (const text of [address, body, tag]) {
      assert.deepEqual(await tablesHolding(text), {}, `a row still holds ${text}`)
      assert.deepEqual(await archiveFilesHolding(archive.root, text), [])
      assert.deepEqual(await redisKeysHolding(text), [])
    }

    const tombstone = erased.body().erasureId.replaceAll('-', '').slice(0, 12)
    const shown = await client.get(`/api/v1/messages/${delivered.id}`).headers(headers)
    shown.assertStatus(200)
    assert.equal(shown.body().status, 'delivered')
    assert.equal(shown.body().recipient, `erased:${tombstone}`)
    const canceled = await client.get(`/api/v1/messages/${queued}`).headers(headers)
    assert.equal(canceled.body().status, 'canceled')
    const others = await db
      .from('messages')
      .whereIn('id', [inbound.id, fallingBack])
      .count('* as n')
    assert.equal(Number(others[0].n), 2)
    const redacted = await db.from('messages').where('id', delivered.id).first()
    assert.isNotNull(redacted.erased_at)
    const events = await db.from('delivery_events').where('message_id', delivered.id)
    assert.sameMembers(
      events.map((event) => event.type),
      ['sent', 'delivered']
    )
    const [line] = await archivedLines(archive.root, archived.id)
    assert.equal(line.message.recipient, `erased:${tombstone}`)
    assert.equal(line.message.status, 'delivered')
    assert.lengthOf(line.events, 2)
  })

  test('keeps the person suppressed by hash: a later send is suppressed, the list shows the tombstone', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const phone = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, '0')}`

    const erased = await eraseThroughApi(client, headers, phone)

    erased.assertStatus(200)
    assert.deepEqual(
      Object.values(erased.body().counts),
      Object.values(erased.body().counts).map(() => 0)
    )
    const later = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ channel: 'sms', recipient: phone, content: { text: 'hello again' } })
    later.assertStatus(201)
    assert.equal(later.body().status, 'suppressed')
    const bulk = await client
      .post('/api/v1/messages/bulk')
      .headers(headers)
      .json({ channel: 'sms', recipients: [{ recipient: phone }], content: { text: 'hello' } })
    bulk.assertStatus(201)
    assert.equal(bulk.body().suppressed, 1)
    // Stored as the erased person's messages are: the tombstone, no content, no number
    assert.deepEqual(await tablesHolding(phone), {})
    const listed = await client.get('/api/v1/suppressions').headers(headers)
    const [entry] = listed.body().data
    assert.match(entry.recipient, /^erased:[0-9a-f]{12}$/)
    assert.equal(entry.reason, 'erased')
    assert.notInclude(JSON.stringify(listed.body()), phone)
    // Nothing shown is derived from the number: its hash would give it back
    const hash = suppressionHash(tenant.id, Channel.Sms, phone)
    const shown = await client.get(`/api/v1/messages/${later.body().id}`).headers(headers)
    const audit = await client.get('/api/v1/audit').headers(headers)
    audit.assertStatus(200)
    for (const reply of [listed, shown, audit]) {
      assert.notInclude(JSON.stringify(reply.body()), hash.slice(0, 12))
    }
    assert.equal(
      entry.recipient,
      `erased:${erased.body().erasureId.replaceAll('-', '').slice(0, 12)}`
    )
  })

  test('a worker finds the erased person suppressed at send time too', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const address = `late.${uniqueTag()}@example.com`
    const erased = await eraseThroughApi(client, headers, address)
    erased.assertStatus(200)
    // Accepted in the moment before the erasure committed: its row is written after
    const id = await queuedEmail(tenant.id, address)

    const claimed = await new MessageStore().claim(id, 60)

    assert.isTrue(claimed?.suppressed)
  })

  test('a message sending at erasure time and then requeued is found suppressed, never sent to the tombstone', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const address = `sending.${uniqueTag()}@example.com`
    const store = new MessageStore()
    const id = await queuedEmail(tenant.id, address)
    const sending = await store.claim(id, 60)
    assert.isFalse(sending?.suppressed)

    const erased = await eraseThroughApi(client, headers, address)
    erased.assertStatus(200)
    assert.equal(erased.body().counts.canceled, 0)
    await store.requeue(sending!, new Date(Date.now() - 1000), null, {
      type: DeliveryEventType.Retrying,
    })
    const retried = await store.claim(id, 60)

    assert.match(retried!.recipient, /^erased:/)
    assert.isTrue(retried?.suppressed)
  })

  test('touches only the erasing tenant’s rows; the other tenant erases its own', async ({
    client,
    assert,
  }) => {
    const mine = await createTenant('mine')
    const theirs = await createTenant('theirs')
    const address = `shared.${uniqueTag()}@example.com`
    await deliveredEmail(mine.tenant.id, address, 'mine')
    const their = await deliveredEmail(theirs.tenant.id, address, 'theirs')

    const erased = await eraseThroughApi(client, mine.headers, address)

    assert.equal(erased.body().counts.messages, 1)
    const untouched = await db.from('messages').where('id', their.id).first()
    assert.equal(untouched.recipient, address)
    assert.deepEqual(untouched.content, { text: 'theirs' })
    const stillSent = await client
      .post('/api/v1/messages')
      .headers(theirs.headers)
      .json({ channel: 'email', recipient: address, subject: 'Hi', content: { text: 'hi' } })
    assert.equal(stillSent.body().status, 'queued')

    const theirErasure = await eraseThroughApi(client, theirs.headers, address)
    assert.equal(theirErasure.body().counts.messages, 2)
    assert.equal(theirErasure.body().counts.canceled, 1)
    assert.deepEqual(await tablesHolding(address), {})
  })

  test('leaves another tenant’s callback alone when its provider used the same message id', async ({
    client,
    assert,
  }) => {
    const mine = await createTenant('mine')
    const theirs = await createTenant('theirs')
    const address = `callback.${uniqueTag()}@example.com`
    const { providerMessageId } = await deliveredEmail(mine.tenant.id, address, 'mine')
    const [their] = await db
      .table('delivery_events')
      .insert({
        tenant_id: theirs.tenant.id,
        type: 'opened',
        source: 'postal',
        provider_message_id: providerMessageId,
        payload: JSON.stringify({ rcpt_to: address }),
      })
      .returning('id')

    const erased = await eraseThroughApi(client, mine.headers, address)

    erased.assertStatus(200)
    const untouched = await db.from('delivery_events').where('id', their.id).firstOrFail()
    assert.deepEqual(untouched.payload, { rcpt_to: address })
  })

  test('matches whole addresses only: a longer one holding the erased one stays', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const tag = uniqueTag()
    const phone = `+1415555${String(Math.floor(Math.random() * 1000)).padStart(3, '0')}`
    const longerPhone = `${phone}0`
    const email = `ann.${tag}@x.co`
    const longerEmail = `joann.${tag}@x.com`
    const fallingBackTo = (recipient: string) =>
      acceptMessage(client, headers, {
        channel: 'email',
        recipient: `someone.${tag}@example.com`,
        subject: 'Hi',
        content: { text: 'hi' },
        fallback: [{ channel: 'sms', recipient }],
      })
    const toLonger = await fallingBackTo(longerPhone)
    const toErased = await fallingBackTo(phone)
    for (const recipient of [email, longerEmail]) {
      const added = await suppressThroughApi(client, headers, { channel: 'email', recipient })
      added.assertStatus(201)
    }

    for (const address of [phone, email]) {
      const erased = await eraseThroughApi(client, headers, address)
      erased.assertStatus(200)
    }

    const fallbackOf = async (id: string) => {
      const row = await db.from('messages').where('id', id).firstOrFail()
      return row.fallback
    }
    assert.deepEqual(await fallbackOf(toLonger), [{ channel: 'sms', recipient: longerPhone }])
    const [scrubbed] = await fallbackOf(toErased)
    assert.match(scrubbed.recipient, /^erased:/)
    const audited = await db
      .from('audit_entries')
      .where('tenant_id', tenant.id)
      .where('action', 'suppression.added')
    assert.lengthOf(audited, 2)
    assert.lengthOf(
      audited.filter((entry) => JSON.stringify(entry).includes(longerEmail)),
      1
    )
  })

  test('waits for the archive lock, which comms:archive also takes: neither leaves the address behind', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const address = `racing.${uniqueTag()}@example.com`
    await deliveredEmail(tenant.id, address, 'old', new Date(Date.now() - 400 * DAY))
    const held = await db.transaction()
    await lockArchive(held)

    const archiving = runCommand('comms:archive', ['--older-than-days=365'])
    const erasing = eraseThroughApi(client, headers, address).then((reply) => reply)
    const bothWaited = await waitersOnArchiveLock(2, [archiving, erasing])
    const recorded = await db.from('erasures').where('tenant_id', tenant.id)
    await held.commit()
    const [archived, erased] = await Promise.all([archiving, erasing])

    assert.isTrue(bothWaited)
    assert.lengthOf(recorded, 0)
    archived.command.assertSucceeded()
    erased.assertStatus(200)
    assert.deepEqual(await tablesHolding(address), {})
    assert.deepEqual(await archiveFilesHolding(archive.root, address), [])
  })

  test('two rewrites of one archive file at once each write a temp file of their own', async ({
    assert,
  }) => {
    const directory = new ArchiveDirectory(archive.root)
    const record = (id: string) => ({ message: { id }, events: [] })
    const file = await directory.stage('2020-01-01', [record(randomUUID())])
    await directory.finalize(file)
    const [first, second] = [record(randomUUID()), record(randomUUID())]

    await Promise.all([
      directory.rewrite(file.finalPath, [first]),
      directory.rewrite(file.finalPath, [second]),
    ])

    const [kept] = await ArchiveDirectory.read(file.finalPath)
    assert.include([first.message.id, second.message.id], kept.message.id)
  })

  test('erases a person again who wrote after the first erasure; one suppression entry stays', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const address = `again.${uniqueTag()}@example.com`
    await inboundEmail(tenant.id, address, 'first')
    const first = await eraseThroughApi(client, headers, address)
    await inboundEmail(tenant.id, address, 'second')

    const second = await eraseThroughApi(client, headers, address)

    second.assertStatus(200)
    assert.containsSubset(second.body().counts, { contacts: 1, suppressions: 0 })
    assert.deepEqual(await tablesHolding(address), {})
    const entries = await db.from('suppressions').where('tenant_id', tenant.id)
    assert.lengthOf(entries, 1)
    assert.equal(
      entries[0].recipient,
      `erased:${first.body().erasureId.replaceAll('-', '').slice(0, 12)}`
    )
  })

  test('answers 422 for what is no recipient and 403 to a key without the manage scope', async ({
    client,
    assert,
  }) => {
    const owner = await createTenant()
    const sender = await createKey(owner, { scopes: ['send', 'read'] })

    for (const address of ['not an address', 'https://hooks.example.com/x', '12345']) {
      const refused = await eraseThroughApi(client, owner.headers, address)
      refused.assertStatus(422)
      assert.equal(refused.body().errors[0].code, 'E_VALIDATION')
      assert.equal(refused.body().errors[0].field, 'address')
    }
    const forbidden = await eraseThroughApi(client, sender.headers, 'ada@example.com')
    forbidden.assertStatus(403)
    assert.equal(forbidden.body().errors[0].code, 'E_MISSING_SCOPE')
    assert.equal(
      await db
        .from('erasures')
        .where('tenant_id', owner.tenant.id)
        .count('* as n')
        .first()
        .then((row) => Number(row!.n)),
      0
    )
  })

  test('is audited as recipient.erased with the counts and the erasure id (no hash), by the key that asked', async ({
    client,
    assert,
  }) => {
    const { tenant, headers } = await createTenant()
    const address = `audited.${uniqueTag()}@example.com`
    await deliveredEmail(tenant.id, address, 'audited')

    const erased = await eraseThroughApi(client, headers, address)

    const entry = await db
      .from('audit_entries')
      .where('tenant_id', tenant.id)
      .where('action', 'recipient.erased')
      .firstOrFail()
    const record = await db.from('erasures').where('id', erased.body().erasureId).firstOrFail()
    assert.equal(entry.actor_type, 'api_key')
    assert.equal(entry.target_id, record.id)
    assert.deepEqual(Object.keys(entry.after).sort(), ['channel', 'counts', 'erasureId'])
    assert.equal(entry.after.erasureId, record.id)
    assert.deepEqual(entry.after.counts, erased.body().counts)
    assert.notInclude(JSON.stringify(entry), address)
  })
})

test.group('recipients:erase', (group) => {
  group.each.setup(async () => {
    const archive = await temporaryArchiveDir()
    return () => archive.restore()
  })

  test('erases like the API, prints the counts and exits 0', async ({ assert }) => {
    const { tenant } = await createTenant()
    const address = `operator.${uniqueTag()}@example.com`
    await deliveredEmail(tenant.id, address, 'by the operator')

    const { command, output } = await runCommand('recipients:erase', [tenant.id, address])

    command.assertSucceeded()
    assert.include(output, 'messages|1')
    assert.deepEqual(await tablesHolding(address), {})
    const entry = await db
      .from('audit_entries')
      .where('tenant_id', tenant.id)
      .where('action', 'recipient.erased')
      .firstOrFail()
    assert.equal(entry.actor_type, 'operator')
  })

  test('exits 1 for an unknown tenant or a malformed address, erasing nothing', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const unknown = await runCommand('recipients:erase', [
      '00000000-0000-4000-8000-000000000000',
      'ada@example.com',
    ])
    assert.equal(unknown.command.exitCode, 1)
    const malformed = await runCommand('recipients:erase', [tenant.id, 'nobody'])
    assert.equal(malformed.command.exitCode, 1)
    const erasures = await db.from('erasures').where('tenant_id', tenant.id)
    assert.lengthOf(erasures, 0)
  })
})

test.group('Immutability under erasure', () => {
  test('a message and its events change only inside an erasure, and then only in what is redacted', async ({
    assert,
  }) => {
    const { tenant } = await createTenant()
    const { id } = await deliveredEmail(tenant.id, `locked.${uniqueTag()}@example.com`, 'x')

    await assert.rejects(() => db.from('messages').where('id', id).update({ subject: null }))
    await assert.rejects(() =>
      db.from('delivery_events').where('message_id', id).update({ reason: null })
    )
    await assert.rejects(() =>
      db.transaction(async (trx) => {
        await trx.rawQuery(`SET LOCAL switchboard.erasure = 'on'`)
        await trx.from('messages').where('id', id).update({ subject: null, priority: 'P0' })
      })
    )
    await assert.rejects(() =>
      db.transaction(async (trx) => {
        await trx.rawQuery(`SET LOCAL switchboard.erasure = 'on'`)
        await trx.from('delivery_events').where('message_id', id).update({ type: 'failed' })
      })
    )
    await db.transaction(async (trx) => {
      await trx.rawQuery(`SET LOCAL switchboard.erasure = 'on'`)
      await trx.from('messages').where('id', id).update({ subject: null })
      await trx.from('delivery_events').where('message_id', id).update({ reason: null })
    })
    const message = await db.from('messages').where('id', id).first()
    assert.isNull(message.subject)
  })
})

async function archivedLines(root: string, messageId: string) {
  const { readdir } = await import('node:fs/promises')
  const { join } = await import('node:path')
  const lines = []
  for (const name of await readdir(root, { recursive: true })) {
    if (!name.endsWith('.jsonl.gz')) continue
    const records = await ArchiveDirectory.read(join(root, name))
    lines.push(...records.filter((record) => record.message.id === messageId))
  }
  return lines
}

/**
 * Whether `count` sessions came to wait for the archive's lock before the
 * pending work ended (it ends without waiting when nothing takes the lock).
 */
async function waitersOnArchiveLock(count: number, pending: Promise<unknown>[]) {
  let settled = false
  void Promise.allSettled(pending).then(() => (settled = true))
  while (!settled) {
    const result = await db.rawQuery(
      `SELECT count(*) AS n FROM pg_locks l
        WHERE l.locktype = 'advisory' AND NOT l.granted
          AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(?, 0)`,
      [ARCHIVE_LOCK]
    )
    if (Number(result.rows[0].n) >= count) return true
    await sleep(20)
  }
  return false
}
