import { inject } from '@adonisjs/core'
import { Job } from '@rlanz/bull-queue'
import { UnrecoverableError } from 'bullmq'
import { TenantWebhookDeliverer } from '#messaging/tenant_webhooks/delivery/tenant_webhook_deliverer'
import type { TenantWebhookPayload } from '#messaging/tenant_webhooks/tenant_webhook_event'

/**
 * Delivers one event to one tenant endpoint. A failed attempt throws so
 * BullMQ retries it with backoff, unless that failure disabled the endpoint:
 * then the job stops at once, like every other job of that endpoint when it
 * next runs (each recorded as a failed delivery, for a replay).
 */
@inject()
export default class DeliverTenantWebhookJob extends Job {
  constructor(private deliverer: TenantWebhookDeliverer) {
    super()
  }

  static get $$filepath() {
    return import.meta.url
  }

  async handle(payload: TenantWebhookPayload) {
    const outcome = await this.deliverer.deliver(payload, this.getJob().attemptsMade + 1)
    if (outcome.kind !== 'failed') return
    if (outcome.disabled) throw new UnrecoverableError(`${outcome.error}; endpoint disabled`)
    throw new Error(outcome.error)
  }

  async rescue({ endpointId, event }: TenantWebhookPayload, error: Error) {
    this.logger.warn(
      {
        endpointId,
        eventId: event.id,
        eventType: event.type,
        messageId: event.data.messageId,
        err: error,
      },
      'tenant webhook event given up: every attempt is in webhook_deliveries, replayable through POST /api/v1/webhooks/:id/replay'
    )
  }
}
