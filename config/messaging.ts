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

  bulk: {
    maxRecipients: env.get('BULK_MAX_RECIPIENTS'),
    /** Rows per INSERT statement and jobs per addBulk call */
    chunkSize: 1000,
  },
}

export default messagingConfig
export type MessagingConfig = typeof messagingConfig
