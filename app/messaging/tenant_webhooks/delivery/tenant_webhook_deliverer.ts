import db from '@adonisjs/lucid/services/db'
import logger from '@adonisjs/core/services/logger'
import type { MessagingConfig } from '#config/messaging'
import WebhookDelivery from '#models/webhook_delivery'
import WebhookEndpoint from '#models/webhook_endpoint'
import { signedPost } from '#messaging/signing/signed_post'
import { WebhookSecrets } from '#messaging/tenant_webhooks/delivery/webhook_secrets'
import { TenantWebhookHttp } from '#messaging/tenant_webhooks/delivery/tenant_webhook_http'
import { attemptError } from '#messaging/tenant_webhooks/delivery/webhook_attempt_error'
import type { TenantWebhookPayload } from '#messaging/tenant_webhooks/tenant_webhook_event'

export const EVENT_HEADER = 'X-Switchboard-Event'
export const EVENT_ID_HEADER = 'X-Switchboard-Event-Id'

export type DeliveryOutcome =
  /** The endpoint answered 2xx */
  | { kind: 'delivered' }
  /** The endpoint was deleted or is disabled, or already has this event: nothing was sent */
  | { kind: 'skipped' }
  /** Not delivered; `disabled` when this failure disabled the endpoint */
  | { kind: 'failed'; error: string; disabled: boolean }

/** The POST's deadline and how long a run of failures lasts before the endpoint is disabled */
export type TenantWebhookDeliverySettings = Pick<
  MessagingConfig['tenantWebhooks'],
  'timeoutMs' | 'disableAfterSeconds'
>

interface Attempt {
  statusCode: number | null
  error: string | null
  durationMs: number
}

/**
 * One attempt to deliver one event to one endpoint: a signed POST through
 * the egress policy, logged in webhook_deliveries whatever its outcome (the
 * status and the class of error, never the receiver's body). A 2xx ends the
 * endpoint's run of failures; a failure starts one or extends it, and the
 * first failure after the run has lasted the configured time disables the
 * endpoint. A burst of failures within that time disables nothing.
 *
 * An event the endpoint already accepted is not sent again: a replay can
 * queue an event while an earlier job of it is still retrying, and whichever
 * of the two runs second finds the other's success and stops.
 */
export class TenantWebhookDeliverer {
  constructor(
    private secrets: WebhookSecrets,
    private http: TenantWebhookHttp,
    private settings: TenantWebhookDeliverySettings
  ) {}

  async deliver(
    { endpointId, event }: TenantWebhookPayload,
    attempt: number
  ): Promise<DeliveryOutcome> {
    const endpoint = await WebhookEndpoint.query()
      .where('id', endpointId)
      .select(
        '*',
        db.raw(
          `EXISTS (SELECT 1 FROM webhook_deliveries accepted
                    WHERE accepted.endpoint_id = webhook_endpoints.id
                      AND accepted.event_id = ? AND accepted.error IS NULL) AS accepted`,
          [event.id]
        )
      )
      .first()
    if (!endpoint || endpoint.$extras.accepted) return { kind: 'skipped' }
    if (!endpoint.enabled) {
      // Recorded as failed, so a replay after re-enabling finds it
      await this.#record({ endpointId, event }, attempt, {
        statusCode: null,
        error: 'endpoint_disabled: not sent while the endpoint is disabled',
        durationMs: 0,
      })
      return { kind: 'skipped' }
    }

    const result = await this.#post(endpoint, { endpointId, event })
    await this.#record({ endpointId, event }, attempt, result)
    if (result.error === null) {
      await this.#succeeded(endpoint)
      return { kind: 'delivered' }
    }
    const disabled = await this.#failed(endpoint)
    return { kind: 'failed', error: result.error, disabled }
  }

  #record({ endpointId, event }: TenantWebhookPayload, attempt: number, result: Attempt) {
    return WebhookDelivery.create({
      endpointId,
      eventId: event.id,
      eventType: event.type,
      payload: event,
      attempt,
      ...result,
    })
  }

  async #post(endpoint: WebhookEndpoint, { event }: TenantWebhookPayload): Promise<Attempt> {
    const { timeoutMs } = this.settings
    const startedAt = performance.now()
    const elapsed = () => Math.round(performance.now() - startedAt)
    try {
      const reply = await signedPost(this.http, {
        url: endpoint.url,
        payload: event,
        secret: this.secrets.open(endpoint),
        headers: {
          [EVENT_HEADER]: event.type,
          [EVENT_ID_HEADER]: event.id,
          'Idempotency-Key': event.id,
        },
        timeoutMs,
      })
      const ok = reply.status >= 200 && reply.status < 300
      return {
        statusCode: reply.status,
        error: ok ? null : `http_status: receiver answered ${reply.status}`,
        durationMs: elapsed(),
      }
    } catch (error) {
      return { statusCode: null, error: attemptError(error), durationMs: elapsed() }
    }
  }

  /**
   * Ends the run of failures. Not skipped on the endpoint as this attempt read
   * it: a concurrent attempt may have started a run since, and a success must
   * end it, or the endpoint could be disabled for failures a success followed.
   */
  async #succeeded(endpoint: WebhookEndpoint) {
    await db
      .from('webhook_endpoints')
      .where('id', endpoint.id)
      .where((running) =>
        running.whereNotNull('failing_since').orWhere('consecutive_failures', '>', 0)
      )
      .update({ consecutive_failures: 0, failing_since: null, updated_at: new Date() })
  }

  /**
   * Counts the failure and starts the run's clock if none runs; then, in one
   * conditional UPDATE (attempts run concurrently), disables the endpoint if
   * the run has lasted long enough. The database's clock decides both.
   */
  async #failed(endpoint: WebhookEndpoint) {
    const { disableAfterSeconds } = this.settings
    await db
      .from('webhook_endpoints')
      .where('id', endpoint.id)
      .update({
        consecutive_failures: db.knexRawQuery('consecutive_failures + 1'),
        failing_since: db.knexRawQuery('coalesce(failing_since, now())'),
        updated_at: new Date(),
      })
    const reason = `every delivery attempt failed for ${disableAfterSeconds} s or more`
    const disabled = await db
      .from('webhook_endpoints')
      .where('id', endpoint.id)
      .where('enabled', true)
      .whereRaw('failing_since <= now() - make_interval(secs => ?)', [disableAfterSeconds])
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
