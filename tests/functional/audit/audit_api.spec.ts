import { test } from '@japa/runner'
import { randomUUID } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import { AuditLog, type AuditActor } from '#messaging/audit/audit_log'
import { createKey, createTenant } from '#tests/helpers/tenants'
import { auditThroughApi, keyIdOf } from '#tests/helpers/audit'

/** A tenant with four entries of its own, oldest first, and the target ids they name */
async function tenantWithEntries() {
  const owner = await createTenant('audited')
  const keyId = await keyIdOf(owner)
  const byKey: AuditActor = { type: 'api_key', id: keyId }
  const [providerId, templateId] = [randomUUID(), randomUUID()]
  const log = new AuditLog()
  const changes = [
    { actor: byKey, action: 'provider.created', targetType: 'provider', targetId: providerId },
    { actor: byKey, action: 'provider.updated', targetType: 'provider', targetId: providerId },
    { actor: byKey, action: 'template.created', targetType: 'template', targetId: templateId },
    {
      actor: { type: 'operator', id: 'ada' } as AuditActor,
      action: 'suppression.added',
      targetType: 'suppression',
      targetId: '7',
    },
  ]
  for (const change of changes) {
    await log.record({ tenantId: owner.tenant.id, after: { step: change.action }, ...change })
  }
  return { owner, keyId, providerId, templateId }
}

function actionsOf(body: { entries: Array<{ action: string }> }) {
  return body.entries.map((entry) => entry.action)
}

/** The reply body of GET /api/v1/audit */
async function auditPage(...request: Parameters<typeof auditThroughApi>) {
  const response = await auditThroughApi(...request)
  response.assertStatus(200)
  return response.body()
}

test.group('GET /api/v1/audit', () => {
  test('lists the tenant’s own entries newest first, with who, what and when', async ({
    client,
    assert,
  }) => {
    const { owner, keyId, providerId } = await tenantWithEntries()
    await tenantWithEntries()

    const response = await auditThroughApi(client, owner.headers)

    response.assertStatus(200)
    const body = response.body()
    assert.deepEqual(actionsOf(body), [
      'suppression.added',
      'template.created',
      'provider.updated',
      'provider.created',
    ])
    assert.isNull(body.next)
    const oldest = body.entries[3]
    assert.deepEqual(oldest.actor, { type: 'api_key', id: keyId })
    assert.deepEqual(oldest.target, { type: 'provider', id: providerId })
    assert.equal(oldest.tenantId, owner.tenant.id)
    assert.isNull(oldest.before)
    assert.deepEqual(oldest.after, { step: 'provider.created' })
    assert.isTrue(Number.isFinite(Date.parse(oldest.createdAt)))
  })

  test('filters by action, actor, target and time', async ({ client, assert }) => {
    const { owner, keyId, providerId, templateId } = await tenantWithEntries()
    const filtered = async (qs: Record<string, string>) =>
      actionsOf(await auditPage(client, owner.headers, qs))

    assert.deepEqual(await filtered({ action: 'provider.updated' }), ['provider.updated'])
    assert.deepEqual(await filtered({ actor: 'operator:ada' }), ['suppression.added'])
    assert.deepEqual(await filtered({ actor: `api_key:${keyId}`, targetType: 'template' }), [
      'template.created',
    ])
    assert.deepEqual(
      await filtered({ actorType: 'api_key', actorId: keyId, targetId: providerId }),
      ['provider.updated', 'provider.created']
    )
    assert.deepEqual(await filtered({ targetId: templateId }), ['template.created'])
    assert.deepEqual(await filtered({ actorType: 'operator' }), ['suppression.added'])
    assert.lengthOf(await filtered({ since: new Date(Date.now() - 60_000).toISOString() }), 4)
    assert.lengthOf(await filtered({ since: new Date(Date.now() + 60_000).toISOString() }), 0)
    assert.lengthOf(await filtered({ until: new Date(Date.now() - 60_000).toISOString() }), 0)
  })

  test('pages with `before` and `next` until the oldest entry', async ({ client, assert }) => {
    const { owner } = await tenantWithEntries()

    const first = await auditPage(client, owner.headers, { limit: 3 })
    assert.deepEqual(actionsOf(first), [
      'suppression.added',
      'template.created',
      'provider.updated',
    ])
    assert.equal(first.next, first.entries[2].id)

    const second = await auditPage(client, owner.headers, { limit: 3, before: first.next })
    assert.deepEqual(actionsOf(second), ['provider.created'])
    assert.isNull(second.next)
  })

  test('another tenant sees none of the entries, not even by naming their target', async ({
    client,
    assert,
  }) => {
    const { providerId } = await tenantWithEntries()
    const other = await createTenant('other')

    const all = await auditThroughApi(client, other.headers)
    const byTarget = await auditThroughApi(client, other.headers, { targetId: providerId })

    all.assertStatus(200)
    assert.deepEqual(all.body(), { entries: [], next: null })
    assert.deepEqual(byTarget.body(), { entries: [], next: null })
  })

  test('a key without the manage scope gets 403', async ({ client }) => {
    const { owner } = await tenantWithEntries()
    for (const scopes of [['send'], ['read', 'send']] as const) {
      const { headers } = await createKey(owner, { scopes: [...scopes] })
      const response = await auditThroughApi(client, headers)
      response.assertStatus(403)
      response.assertBodyContains({ errors: [{ code: 'E_MISSING_SCOPE' }] })
    }
  })
})

test.group('GET /api/v1/audit with bad filters answers 422', () => {
  test('{name}')
    .with([
      { name: 'a limit of 0', qs: { limit: 0 }, field: 'limit' },
      { name: 'a limit over 100', qs: { limit: 101 }, field: 'limit' },
      { name: 'a cursor that is not an id', qs: { before: 'abc' }, field: 'before' },
      { name: 'a cursor past any id', qs: { before: '9'.repeat(20) }, field: 'before' },
      { name: 'since that is not a date', qs: { since: 'yesterday' }, field: 'since' },
      { name: 'until that is not a date', qs: { until: '2030-13-45' }, field: 'until' },
      { name: 'an actor without a type', qs: { actor: 'ada' }, field: 'actor' },
      { name: 'an unknown actor type', qs: { actorType: 'robot' }, field: 'actorType' },
      { name: 'an actor id without a type', qs: { actorId: '12' }, field: 'actorType' },
    ])
    .run(async ({ client, assert }, { qs, field }) => {
      const { headers } = await createTenant()
      const response = await auditThroughApi(client, headers, qs)

      response.assertStatus(422)
      const errors = response.body().errors as Array<Record<string, unknown>>
      assert.deepEqual(
        errors.map((error) => [error.code, error.field]),
        [['E_VALIDATION', field]]
      )
    })
})

test.group('audit_entries is append-only', () => {
  test('{name} is refused')
    .with([
      {
        name: 'UPDATE',
        sql: `UPDATE audit_entries SET action = 'nothing.happened' WHERE tenant_id = ?`,
      },
      { name: 'DELETE', sql: 'DELETE FROM audit_entries WHERE tenant_id = ?' },
    ])
    .run(async ({ assert }, { sql }) => {
      const { owner } = await tenantWithEntries()
      const before = await db.from('audit_entries').where('tenant_id', owner.tenant.id)

      await assert.rejects(() => db.rawQuery(sql, [owner.tenant.id]), /append-only/)

      assert.deepEqual(await db.from('audit_entries').where('tenant_id', owner.tenant.id), before)
    })
})
