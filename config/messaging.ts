import env from '#start/env'
import { Priority } from '#enums/priority'

/**
 * How messages move: per-priority worker concurrency, the claim lease, retry
 * policy and bulk limits.
 */
const messagingConfig = {
  defaultGateway: env.get('DEFAULT_GATEWAY'),
  /** AES-256-GCM key (base64) sealing provider credentials at rest */
  credentialsKey: env.get('CREDENTIALS_KEY'),
  logGatewayLatencyMs: env.get('LOG_GATEWAY_LATENCY_MS'),

  concurrency: {
    [Priority.P0]: env.get('WORKER_CONCURRENCY_P0'),
    [Priority.P1]: env.get('WORKER_CONCURRENCY_P1'),
    [Priority.P2]: env.get('WORKER_CONCURRENCY_P2'),
    [Priority.P3]: env.get('WORKER_CONCURRENCY_P3'),
    [Priority.P4]: env.get('WORKER_CONCURRENCY_P4'),
  } satisfies Record<Priority, number>,

  leaseSeconds: env.get('MESSAGE_LEASE_SECONDS'),
  maxAttempts: env.get('MESSAGE_MAX_ATTEMPTS'),
  retryBaseDelayMs: env.get('RETRY_BASE_DELAY_MS'),
  stuckQueuedAlertMinutes: env.get('STUCK_QUEUED_ALERT_MINUTES'),

  /** This many soft bounces to one recipient within the window suppress it (reason soft_bounce) */
  softBounces: {
    threshold: env.get('SOFT_BOUNCE_THRESHOLD', 3),
    windowDays: env.get('SOFT_BOUNCE_WINDOW_DAYS', 7),
  },

  /** Events out to the tenants' own webhook endpoints (the tenant-webhooks queue) */
  tenantWebhooks: {
    /** Attempts per event and endpoint; the gaps double from the base delay, with jitter */
    maxAttempts: env.get('TENANT_WEBHOOK_MAX_ATTEMPTS', 6),
    baseDelayMs: env.get('TENANT_WEBHOOK_BASE_DELAY_MS', 30_000),
    /** Up to half of each gap is random, so a recovering receiver is not hit all at once */
    jitter: 0.5,
    /** This many failed attempts in a row, over any events, disable the endpoint */
    disableAfter: env.get('TENANT_WEBHOOK_DISABLE_AFTER', 5),
    timeoutMs: 10_000,
    concurrency: env.get('TENANT_WEBHOOK_CONCURRENCY', 10),
  },

  bulk: {
    maxRecipients: env.get('BULK_MAX_RECIPIENTS'),
    /** Rows per INSERT statement and jobs per addBulk call */
    chunkSize: 1000,
  },
}

export default messagingConfig
export type MessagingConfig = typeof messagingConfig
