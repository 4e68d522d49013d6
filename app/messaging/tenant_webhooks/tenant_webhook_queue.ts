import queue from '@rlanz/bull-queue/services/main'
import type { MessagingConfig } from '#config/messaging'
import DeliverTenantWebhookJob from '#jobs/deliver_tenant_webhook_job'
import type { TenantWebhookPayload } from '#messaging/tenant_webhooks/tenant_webhook_event'

export const TENANT_WEBHOOKS_QUEUE = 'tenant-webhooks'

/** How BullMQ retries a delivery: MessagingConfig's tenantWebhooks settings */
export type TenantWebhookRetry = Pick<
  MessagingConfig['tenantWebhooks'],
  'maxAttempts' | 'baseDelayMs' | 'jitter'
>

export interface QueuedDelivery {
  /** Enqueuing the same delivery again under the same key is a no-op while its job exists */
  key: string
  payload: TenantWebhookPayload
}

/**
 * The tenant-webhooks queue, worked by `node ace webhooks:work`. One job per
 * event and endpoint: BullMQ retries it with exponential backoff and jitter.
 */
export class TenantWebhookQueue {
  constructor(private retry: TenantWebhookRetry) {}

  async enqueue(deliveries: QueuedDelivery[]) {
    if (deliveries.length === 0) return
    const { maxAttempts, baseDelayMs, jitter } = this.retry
    await this.queue().addBulk(
      deliveries.map(({ key, payload }) => ({
        name: DeliverTenantWebhookJob.$$filepath,
        data: payload,
        opts: {
          jobId: key,
          attempts: maxAttempts,
          backoff: { type: 'exponential', delay: baseDelayMs, jitter },
        },
      }))
    )
  }

  queue() {
    return queue.getOrSet(TENANT_WEBHOOKS_QUEUE)
  }
}
