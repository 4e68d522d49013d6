import { test } from '@japa/runner'
import type { ApiResponse } from '@japa/api-client'
import type { AuditRow } from '#messaging/audit/audit_entries'
import ProvidersAdd from '#commands/providers_add'
import ProvidersRemove from '#commands/providers_remove'
import CommsSuppress from '#commands/comms_suppress'
import AuditList from '#commands/audit_list'
import { createProvider } from '#tests/helpers/providers'
import { createTemplate } from '#tests/helpers/templates'
import { registerEndpoint } from '#tests/helpers/tenant_webhooks'
import { suppressThroughApi, uniqueTag } from '#tests/helpers/suppressions'
import { runCommand } from '#tests/helpers/commands'
import { withPublicDns } from '#tests/helpers/egress'
import { createTenant } from '#tests/helpers/tenants'
import {
  auditRowsFor,
  auditRowsOf,
  auditThroughApi,
  keyIdOf,
  rawAuditText,
} from '#tests/helpers/audit'

const POSTAL_KEY = 'postal-audit-secret-1111'
const POSTAL_KEY_NEW = 'postal-audit-secret-2222'
const WEBHOOK_SECRET = 'whsec-audit-secret-3333'

const postal = {
  type: 'postal',
  channel: 'email',
  name: 'Audited Postal',
  config: { baseUrl: 'https://postal.example.com', apiKey: POSTAL_KEY, from: 'a@example.com' },
}

/** A request's reply, once it has this status */
async function answered(request: PromiseLike<ApiResponse>, status: number) {
  const response = await request
  response.assertStatus(status)
  return response
}

/** A command's run, once it has succeeded */
async function succeeded(...run: Parameters<typeof runCommand>) {
  const result = await runCommand(...run)
  result.command.assertSucceeded()
  return result
}

/** What the test checks of each entry: the action, who, and the target */
function summary(rows: AuditRow[]) {
  return rows.map((row) => [row.action, `${row.actor_type}:${row.actor_id}`, row.tenant_id])
}

/** A new tenant, and its key as the audit names the actor */
async function auditedTenant() {
  const owner = await createTenant()
  return { owner, actor: `api_key:${await keyIdOf(owner)}` }
}

/** GET /api/v1/audit from a new tenant: everything, and only the target's */
async function seenByAnotherTenant(
  client: Parameters<typeof auditThroughApi>[0],
  targetId: string
) {
  const other = await createTenant('other')
  const all = await auditThroughApi(client, other.headers)
  const byTarget = await auditThroughApi(client, other.headers, { targetId })
  return [all.body(), byTarget.body()]
}

test.group('Audit entries of changes made over the API', (group) => {
  // postal.example.com resolves to a public address, without the network
  withPublicDns(group)

  test('providers: created, updated and deleted, by the key, secrets masked', async ({
    client,
    assert,
  }) => {
    const { owner, actor } = await auditedTenant()
    const id = await createProvider(client, owner.headers, postal)
    const patch = client.patch(`/api/v1/providers/${id}`).headers(owner.headers)
    await answered(patch.json({ name: 'Renamed', config: { apiKey: POSTAL_KEY_NEW } }), 200)
    // Refused changes leave no entry
    const refused = client.patch(`/api/v1/providers/${id}`).headers(owner.headers)
    await answered(refused.json({ priority: -1 }), 422)
    const other = await createTenant('other')
    await answered(client.delete(`/api/v1/providers/${id}`).headers(other.headers), 404)
    await answered(client.delete(`/api/v1/providers/${id}`).headers(owner.headers), 204)

    const rows = await auditRowsFor('provider', id)
    assert.deepEqual(summary(rows), [
      ['provider.created', actor, owner.tenant.id],
      ['provider.updated', actor, owner.tenant.id],
      ['provider.deleted', actor, owner.tenant.id],
    ])
    const [created, updated, deleted] = rows
    assert.isNull(created.before)
    assert.deepInclude(created.after!, { id, name: 'Audited Postal', type: 'postal' })
    assert.equal((created.after!.config as Record<string, unknown>).apiKey, '…1111')
    assert.deepEqual(updated.before, created.after)
    assert.equal(updated.after!.name, 'Renamed')
    assert.equal((updated.after!.config as Record<string, unknown>).apiKey, '…2222')
    assert.deepEqual(deleted.before, updated.after)
    assert.isNull(deleted.after)
    const raw = await rawAuditText(rows)
    assert.notInclude(raw, POSTAL_KEY)
    assert.notInclude(raw, POSTAL_KEY_NEW)
    assert.deepEqual(await seenByAnotherTenant(client, id), [
      { entries: [], next: null },
      { entries: [], next: null },
    ])
  })

  test('templates: created and a version added', async ({ client, assert }) => {
    const { owner, actor } = await auditedTenant()
    const first = await createTemplate(client, owner)
    const next = await client
      .put(`/api/v1/templates/${first.id}`)
      .headers(owner.headers)
      .json({ subject: 'Hi {{ name }}', text: 'Hi {{ name }}' })
    next.assertStatus(201)
    // A name already taken is refused: no entry
    await answered(client.post('/api/v1/templates').headers(owner.headers).json(first), 409)

    const created = await auditRowsFor('template', first.id)
    const added = await auditRowsFor('template', next.body().id)
    assert.deepEqual(summary([...created, ...added]), [
      ['template.created', actor, owner.tenant.id],
      ['template.version_added', actor, owner.tenant.id],
    ])
    assert.deepInclude(created[0].after!, { id: first.id, version: 1, name: 'welcome' })
    assert.deepInclude(added[0].before!, { id: first.id, version: 1 })
    assert.deepInclude(added[0].after!, {
      id: next.body().id,
      version: 2,
      subject: 'Hi {{ name }}',
    })
    assert.lengthOf(await auditRowsOf(owner.tenant.id), 2)
  })

  test('suppressions: added and lifted; adding one already there is no change', async ({
    client,
    assert,
  }) => {
    const { owner, actor } = await auditedTenant()
    const recipient = `audited.${uniqueTag()}@example.com`
    const added = await suppressThroughApi(client, owner.headers, { channel: 'email', recipient })
    added.assertStatus(201)
    await answered(suppressThroughApi(client, owner.headers, { channel: 'email', recipient }), 200)
    const entryId = String(added.body().id)
    const other = await createTenant('other')
    const stranger = client.delete(`/api/v1/suppressions/${entryId}`).headers(other.headers)
    await answered(stranger, 404)
    const lift = client.delete(`/api/v1/suppressions/${entryId}`).headers(owner.headers)
    await answered(lift, 204)

    const rows = await auditRowsFor('suppression', entryId)
    assert.deepEqual(summary(rows), [
      ['suppression.added', actor, owner.tenant.id],
      ['suppression.lifted', actor, owner.tenant.id],
    ])
    assert.deepInclude(rows[0].after!, { recipient, reason: 'manual', tenantId: owner.tenant.id })
    assert.deepEqual(rows[1].before, rows[0].after)
    assert.isNull(rows[1].after)
  })

  test('webhook endpoints: created (secret masked), enabled, replayed and deleted', async ({
    client,
    assert,
  }) => {
    const { owner, actor } = await auditedTenant()
    const endpoint = await registerEndpoint(client, owner.headers, {
      url: 'https://hooks.example.com/switchboard',
      eventTypes: ['message.delivered'],
      secret: WEBHOOK_SECRET,
    })
    const path = `/api/v1/webhooks/${endpoint.id}`
    await answered(client.post(`${path}/enable`).headers(owner.headers), 200)
    const since = '2030-01-01T00:00:00.000Z'
    const replay = await client.post(`${path}/replay`).headers(owner.headers).json({ since })
    replay.assertStatus(202)
    await answered(client.post(`${path}/test`).headers(owner.headers), 202)
    await answered(client.delete(path).headers(owner.headers), 204)

    const rows = await auditRowsFor('webhook_endpoint', endpoint.id)
    assert.deepEqual(summary(rows), [
      ['webhook_endpoint.created', actor, owner.tenant.id],
      ['webhook_endpoint.enabled', actor, owner.tenant.id],
      ['webhook_endpoint.replayed', actor, owner.tenant.id],
      ['webhook_endpoint.deleted', actor, owner.tenant.id],
    ])
    const [created, enabled, replayed, deleted] = rows
    assert.deepInclude(created.after!, { id: endpoint.id, secretMask: endpoint.secretMask })
    assert.deepEqual(enabled.before, created.after)
    assert.deepEqual(replayed.after, { replayed: replay.body().replayed, since })
    assert.equal(deleted.before!.id, endpoint.id)
    assert.notInclude(await rawAuditText(rows), WEBHOOK_SECRET)
  })
})

test.group('Audit entries of operators’ changes', () => {
  test('system providers: added and removed by the operator, no tenant; audit:list shows them', async ({
    assert,
  }) => {
    const previous = process.env.SWITCHBOARD_OPERATOR
    process.env.SWITCHBOARD_OPERATOR = 'ada.audit'
    try {
      const added = await succeeded(ProvidersAdd, [
        '--system',
        'postal',
        '--channel',
        'email',
        '--config',
        JSON.stringify(postal.config),
      ])
      const id = /System provider ([0-9a-f-]{36}) added/.exec(added.output)![1]
      await succeeded(ProvidersRemove, [id])

      const rows = await auditRowsFor('provider', id)
      assert.deepEqual(summary(rows), [
        ['provider.created', 'operator:ada.audit', null],
        ['provider.deleted', 'operator:ada.audit', null],
      ])
      assert.notInclude(await rawAuditText(rows), POSTAL_KEY)

      const listed = await succeeded(AuditList, ['--action=provider.deleted', '--limit=100'])
      const line = listed.logs.find((log) => log.includes(`provider:${id}`))
      assert.include(line, '|system|operator:ada.audit|provider.deleted|')
      const json = await succeeded(AuditList, ['--json', '--limit=100'])
      const entries = JSON.parse(json.logs.at(-1)!) as Array<Record<string, any>>
      const mine = entries.filter((entry) => entry.target.id === id)
      assert.deepEqual(
        mine.map((entry) => [entry.action, entry.tenantId]),
        [
          ['provider.deleted', null],
          ['provider.created', null],
        ]
      )
    } finally {
      if (previous === undefined) delete process.env.SWITCHBOARD_OPERATOR
      else process.env.SWITCHBOARD_OPERATOR = previous
    }
  })

  test('comms:suppress: a global entry added and removed, no tenant', async ({ assert }) => {
    const recipient = `global.${uniqueTag()}@example.com`
    const flags = ['--channel=email', `--recipient=${recipient}`]
    await succeeded(CommsSuppress, ['add', ...flags])
    await succeeded(CommsSuppress, ['remove', ...flags])

    const globalRows = await auditRowsOf(null)
    const rows = globalRows.filter((row) => (row.after ?? row.before)!.recipient === recipient)
    assert.deepEqual(
      rows.map((row) => [row.action, row.actor_type, row.tenant_id]),
      [
        ['suppression.added', 'operator', null],
        ['suppression.lifted', 'operator', null],
      ]
    )
  })

  test('audit:list --tenant shows only that tenant’s entries', async ({ client, assert }) => {
    const owner = await createTenant()
    await createTemplate(client, owner)
    const listed = await succeeded(AuditList, [`--tenant=${owner.tenant.id}`, '--json'])
    const entries = JSON.parse(listed.logs.at(-1)!) as Array<Record<string, any>>
    assert.deepEqual(
      entries.map((entry) => [entry.action, entry.tenantId]),
      [['template.created', owner.tenant.id]]
    )
    const unknown = await runCommand(AuditList, ['--tenant=nope'])
    assert.equal(unknown.command.exitCode, 1)
  })
})
