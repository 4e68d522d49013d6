import { randomUUID } from 'node:crypto'
import { inject } from '@adonisjs/core'
import vine from '@vinejs/vine'
import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'
import WebhookEndpoint from '#models/webhook_endpoint'
import { TEST_EVENT_TYPE } from '#enums/tenant_webhook_event_type'
import {
  WebhookEndpointDisabledException,
  WebhookEndpointNotFoundException,
} from '#exceptions/webhook_endpoint_exceptions'
import { AuditLog, type AuditActor, type AuditChange } from '#messaging/audit/audit_log'
import { testWebhookEvent } from '#messaging/tenant_webhooks/tenant_webhook_event'
import { TenantWebhookQueue } from '#messaging/tenant_webhooks/tenant_webhook_queue'
import { FailedDeliveries } from '#messaging/tenant_webhooks/failed_deliveries'
import { WebhookSecrets } from '#messaging/tenant_webhooks/delivery/webhook_secrets'
import { webhookEndpointView } from '#messaging/tenant_webhooks/webhook_endpoint_view'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { assertUrlsAllowed } from '#messaging/egress/egress_url_check'
import type { CreateWebhookEndpointRequest } from '#validators/webhook_endpoint'

/**
 * A tenant's webhook endpoints, every read and write scoped to the tenant:
 * another tenant's endpoint answers 404. The secret leaves in full only in
 * the reply that created it.
 */
@inject()
export class WebhookEndpointService {
  constructor(
    private secrets: WebhookSecrets,
    private queue: TenantWebhookQueue,
    private failed: FailedDeliveries,
    private egress: EgressPolicy,
    private audit: AuditLog
  ) {}

  async list(tenantId: string) {
    const endpoints = await WebhookEndpoint.query()
      .where('tenant_id', tenantId)
      .orderBy('created_at')
    return endpoints.map(webhookEndpointView)
  }

  /** The new endpoint, with its secret in full: the only reply that shows it */
  async create(tenantId: string, request: CreateWebhookEndpointRequest, actor: AuditActor) {
    await assertUrlsAllowed(this.egress, [{ field: 'url', url: request.url }])
    const secret = request.secret ?? this.secrets.generate()
    // The id is chosen here, not by the database: the secret is sealed to it
    const row = { id: randomUUID(), tenantId }
    return db.transaction(async (trx) => {
      const endpoint = await WebhookEndpoint.create(
        {
          ...row,
          url: request.url,
          eventTypes: request.eventTypes,
          enabled: true,
          consecutiveFailures: 0,
          ...this.secrets.seal(row, secret),
        },
        { client: trx }
      )
      const after = webhookEndpointView(endpoint)
      await this.#record(trx, endpoint, actor, { action: 'webhook_endpoint.created', after })
      return { ...after, secret }
    })
  }

  async delete(tenantId: string, id: string, actor: AuditActor) {
    const endpoint = await this.#find(tenantId, id)
    const before = webhookEndpointView(endpoint)
    await db.transaction(async (trx) => {
      await endpoint.useTransaction(trx).delete()
      await this.#record(trx, endpoint, actor, { action: 'webhook_endpoint.deleted', before })
    })
  }

  /**
   * Queues a signed `test` event to the endpoint, whatever it subscribed to.
   * Not a delivery event, so it goes to the queue directly: nothing is lost
   * if it is, the tenant can ask again.
   */
  async test(tenantId: string, id: string) {
    const endpoint = await this.#find(tenantId, id)
    if (!endpoint.enabled) throw new WebhookEndpointDisabledException()
    const event = testWebhookEvent(TEST_EVENT_TYPE, {
      endpointId: endpoint.id,
      message: 'A test event from Switchboard',
    })
    await this.queue.enqueue([
      { key: `${endpoint.id}.${event.id}`, payload: { endpointId: endpoint.id, event } },
    ])
    return event
  }

  /** Takes a disabled endpoint back into service, its run of failures forgotten. */
  async enable(tenantId: string, id: string, actor: AuditActor) {
    const endpoint = await this.#find(tenantId, id)
    const before = webhookEndpointView(endpoint)
    return db.transaction(async (trx) => {
      endpoint.useTransaction(trx).merge({
        enabled: true,
        disabledAt: null,
        disabledReason: null,
        failingSince: null,
        consecutiveFailures: 0,
      })
      await endpoint.save()
      const after = webhookEndpointView(endpoint)
      await this.#record(trx, endpoint, actor, {
        action: 'webhook_endpoint.enabled',
        before,
        after,
      })
      return after
    })
  }

  /**
   * Sends again, with their original ids, the events whose last attempt to
   * this endpoint failed (since `since`, when given). How many were queued.
   */
  async replay(tenantId: string, id: string, since: Date | null, actor: AuditActor) {
    const endpoint = await this.#find(tenantId, id)
    if (!endpoint.enabled) throw new WebhookEndpointDisabledException()
    return db.transaction(async (trx) => {
      const replayed = await this.failed.replay(endpoint.id, since, trx)
      await this.#record(trx, endpoint, actor, {
        action: 'webhook_endpoint.replayed',
        after: { replayed, since },
      })
      return replayed
    })
  }

  #record(
    trx: TransactionClientContract,
    endpoint: WebhookEndpoint,
    actor: AuditActor,
    change: Pick<AuditChange, 'action' | 'before' | 'after'>
  ) {
    return this.audit.record(
      {
        tenantId: endpoint.tenantId,
        actor,
        targetType: 'webhook_endpoint',
        targetId: endpoint.id,
        ...change,
      },
      trx
    )
  }

  async #find(tenantId: string, id: string) {
    if (!vine.helpers.isUUID(id)) throw new WebhookEndpointNotFoundException()
    const endpoint = await WebhookEndpoint.query()
      .where('tenant_id', tenantId)
      .where('id', id)
      .first()
    if (!endpoint) throw new WebhookEndpointNotFoundException()
    return endpoint
  }
}
