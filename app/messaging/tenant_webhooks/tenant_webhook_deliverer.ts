import { inject } from '@adonisjs/core'
import config from '@adonisjs/core/services/config'
import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { MessagingConfig } from '#config/messaging'
import WebhookDelivery from '#models/webhook_delivery'
import WebhookEndpoint from '#models/webhook_endpoint'
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
} from '#messaging/gateways/webhook_signature'
import { WebhookSecrets } from '#messaging/tenant_webhooks/webhook_secrets'
import type { TenantWebhookPayload } from '#messaging/tenant_webhooks/tenant_webhook_queue'

export const EVENT_HEADER = 'X-Switchboard-Event'

export type DeliveryOutcome =
  /** The endpoint answered 2xx */
  | { kind: 'delivered' }
  /** The endpoint was deleted or disabled meanwhile: nothing was sent */
  | { kind: 'skipped' }
  /** Not delivered; `disabled` when this failure disabled the endpoint */
  | { kind: 'failed'; error: string; disabled: boolean }

interface Attempt {
  statusCode: number | null
  error: string | null
  durationMs: number
}

/**
 * One attempt to deliver one event to one endpoint: a signed POST, logged in
 * webhook_deliveries whatever its outcome. A 2xx resets the endpoint's run of
 * failures; each failure extends it, and the one reaching the configured
 * threshold disables the endpoint.
 */
@inject()
export class TenantWebhookDeliverer {
  constructor(private secrets: WebhookSecrets) {}

  async deliver(
    { endpointId, event }: TenantWebhookPayload,
    attempt: number
  ): Promise<DeliveryOutcome> {
    const endpoint = await WebhookEndpoint.find(endpointId)
    if (!endpoint?.enabled) return { kind: 'skipped' }

    const rawBody = JSON.stringify(event)
    const result = await this.#post(endpoint, event.type, event.id, rawBody)
    await WebhookDelivery.create({
      endpointId,
      eventId: event.id,
      eventType: event.type,
      payload: event,
      attempt,
      ...result,
    })
    if (result.error === null) {
      await this.#succeeded(endpoint)
      return { kind: 'delivered' }
    }
    const disabled = await this.#failed(endpoint)
    return { kind: 'failed', error: result.error, disabled }
  }

  async #post(
    endpoint: WebhookEndpoint,
    type: string,
    eventId: string,
    rawBody: string
  ): Promise<Attempt> {
    const { timeoutMs } = settings()
    const timestamp = Math.floor(Date.now() / 1000)
    const startedAt = performance.now()
    const elapsed = () => Math.round(performance.now() - startedAt)
    try {
      const response = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': 'Switchboard-Webhooks/1.0',
          [TIMESTAMP_HEADER]: String(timestamp),
          [SIGNATURE_HEADER]: signWebhook(
            this.secrets.open(endpoint.encryptedSecret),
            timestamp,
            rawBody
          ),
          [EVENT_HEADER]: type,
          'Idempotency-Key': eventId,
        },
        body: rawBody,
        // A redirect could point the POST anywhere, including inside our network
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      })
      // Only the status matters: release the connection instead of reading the body
      await response.body?.cancel().catch(() => {})
      const ok = response.status >= 200 && response.status < 300
      return {
        statusCode: response.status,
        error: ok ? null : `receiver answered ${response.status}`,
        durationMs: elapsed(),
      }
    } catch (error) {
      return { statusCode: null, error: networkError(error, timeoutMs), durationMs: elapsed() }
    }
  }

  async #succeeded(endpoint: WebhookEndpoint) {
    if (endpoint.consecutiveFailures === 0) return
    await db
      .from('webhook_endpoints')
      .where('id', endpoint.id)
      .update({ consecutive_failures: 0, updated_at: new Date() })
  }

  /**
   * Counts the failure in one UPDATE (attempts run concurrently); the attempt
   * whose count reaches the threshold is the one that disables the endpoint.
   */
  async #failed(endpoint: WebhookEndpoint) {
    const { disableAfter } = settings()
    const [counted]: Array<{ consecutive_failures: number }> = await db
      .from('webhook_endpoints')
      .where('id', endpoint.id)
      .update({
        consecutive_failures: db.knexRawQuery('consecutive_failures + 1'),
        updated_at: new Date(),
      })
      .returning('consecutive_failures')
    if (!counted || counted.consecutive_failures < disableAfter) return false

    const reason = `${counted.consecutive_failures} delivery attempts in a row failed`
    const disabled = await db
      .from('webhook_endpoints')
      .where('id', endpoint.id)
      .where('enabled', true)
      .update({ enabled: false, disabled_at: new Date(), disabled_reason: reason })
      .returning('id')
    if (disabled.length === 0) return false
    logger.warn(
      { endpointId: endpoint.id, tenantId: endpoint.tenantId, url: endpoint.url, reason },
      'tenant webhook endpoint disabled: reported to its tenant through GET /api/v1/webhooks'
    )
    return true
  }
}

function settings() {
  return config.get<MessagingConfig>('messaging').tenantWebhooks
}

function networkError(error: unknown, timeoutMs: number) {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `receiver did not answer within ${timeoutMs} ms`
  }
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error
  return `could not reach the receiver: ${cause instanceof Error ? cause.message : String(cause)}`
}
