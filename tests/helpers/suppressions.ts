import { randomUUID } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import type { Channel } from '#enums/channel'
import { SuppressionService } from '#messaging/suppression/suppression_service'
import { operatorActor } from '#messaging/audit/audit_actors'
import { createTenant } from '#tests/helpers/tenants'

/**
 * A marker unique to one test, put in its recipients: global entries apply to
 * every tenant, so a test finds its own by searching for the marker.
 */
export function uniqueTag() {
  return randomUUID().slice(0, 8)
}

/** POST /api/v1/suppressions as a tenant would; the raw reply. */
export function suppressThroughApi(
  client: ApiClient,
  headers: Record<string, string>,
  body: Record<string, unknown>
) {
  return client.post('/api/v1/suppressions').headers(headers).json(body)
}

/**
 * Two tenants, each with an email entry of its own (`own.<tag>@…` for the
 * first, `theirs.<tag>@…` for the other), added through the API.
 */
export async function twoTenantsWithOwnEntries(client: ApiClient) {
  const mine = await createTenant('mine')
  const other = await createTenant('other')
  const tag = uniqueTag()
  await suppressThroughApi(client, mine.headers, {
    channel: 'email',
    recipient: `own.${tag}@example.com`,
  })
  await suppressThroughApi(client, other.headers, {
    channel: 'email',
    recipient: `theirs.${tag}@example.com`,
  })
  return { mine, other, tag }
}

/** A global entry (every tenant), added the way an operator does with comms:suppress. */
export async function suppressGlobally(channel: Channel, recipient: string) {
  const service = await app.container.make(SuppressionService)
  const { suppression } = await service.add(
    { tenantId: null, channel, recipient, source: 'test' },
    operatorActor()
  )
  return suppression
}

/** The stored entries of one scope (null: global) for a recipient. */
export async function suppressionRows(tenantId: string | null, recipient: string) {
  const query = db.from('suppressions').where('recipient', recipient)
  return tenantId === null ? query.whereNull('tenant_id') : query.where('tenant_id', tenantId)
}
