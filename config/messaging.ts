import env from '#start/env'
import { BULK_PRIORITIES, Priority } from '#enums/priority'
import {
  parseDomainLimits,
  parseRateLimit,
  parseWholeSecondRateLimit,
} from '#messaging/routing/rate_limit_spec'
import { parseEgressAllow } from '#messaging/egress/egress_allow'
import { parseKeyList } from '#messaging/accounts/credentials_cipher'
import type { TenantSettingDefaults } from '#messaging/tenants/tenant_settings'

/**
 * How messages move: per-priority worker concurrency, the claim lease, retry
 * policy and bulk limits.
 */
const messagingConfig = {
  defaultGateway: env.get('DEFAULT_GATEWAY'),
  /** AES-256-GCM key (base64) sealing provider credentials at rest */
  credentialsKey: env.get('CREDENTIALS_KEY'),
  /** Keys (base64) that only open credentials: the old ones while a rotation is under way */
  credentialsPreviousKeys: parseKeyList(env.get('CREDENTIALS_PREVIOUS_KEYS')),
  logGatewayLatencyMs: env.get('LOG_GATEWAY_LATENCY_MS'),

  concurrency: {
    [Priority.P0]: env.get('WORKER_CONCURRENCY_P0'),
    [Priority.P1]: env.get('WORKER_CONCURRENCY_P1'),
    [Priority.P2]: env.get('WORKER_CONCURRENCY_P2'),
    [Priority.P3]: env.get('WORKER_CONCURRENCY_P3'),
    [Priority.P4]: env.get('WORKER_CONCURRENCY_P4'),
  } satisfies Record<Priority, number>,
  /**
   * The bulk lanes' worker processes run at this nice value (0-19): when the
   * machine is short of CPU, the kernel serves the P0, P1 and P4 workers first
   */
  bulkWorkerNice: env.get('BULK_WORKER_NICE', 10),

  leaseSeconds: env.get('MESSAGE_LEASE_SECONDS'),
  maxAttempts: env.get('MESSAGE_MAX_ATTEMPTS'),
  retryBaseDelayMs: env.get('RETRY_BASE_DELAY_MS'),
  stuckQueuedAlertMinutes: env.get('STUCK_QUEUED_ALERT_MINUTES'),

  /** This many soft bounces to one recipient within the window suppress it (reason soft_bounce) */
  softBounces: {
    threshold: env.get('SOFT_BOUNCE_THRESHOLD', 3),
    windowDays: env.get('SOFT_BOUNCE_WINDOW_DAYS', 7),
  },

  /** Budgets in Redis shared by every worker (see .env.example) */
  rateLimits: {
    domains: parseDomainLimits(env.get('DOMAIN_RATE_LIMITS', '')),
    defaultDomain: parseRateLimit(env.get('DEFAULT_DOMAIN_RATE_LIMIT', '')),
    /** P2 and P3 may use this share of a domain's budget; the rest is kept for the other lanes */
    bulkShare: env.get('BULK_DOMAIN_SHARE', 0.5),
    bulkPriorities: BULK_PRIORITIES,
  },

  /** What a tenant gets that has no setting of its own (`node ace tenants:set`) */
  tenantDefaults: {
    apiRateLimit: parseWholeSecondRateLimit(env.get('TENANT_API_RATE_LIMIT', '')),
    sendRateLimit: parseRateLimit(env.get('TENANT_RATE_LIMIT', '')),
  } satisfies TenantSettingDefaults,

  /** Gateway health scores and circuit breakers */
  health: {
    windowSeconds: env.get('HEALTH_WINDOW_SECONDS', 300),
    /** The window is kept as buckets of this size */
    bucketSeconds: 10,
    failureThreshold: env.get('CIRCUIT_FAILURE_THRESHOLD', 5),
    errorRate: env.get('CIRCUIT_ERROR_RATE', 0.5),
    minVolume: env.get('CIRCUIT_MIN_VOLUME', 20),
    cooldownSeconds: env.get('CIRCUIT_COOLDOWN_SECONDS', 30),
    /** Mean latency above this lowers the score */
    slowLatencyMs: 2_000,
  },

  /**
   * Outbound calls a tenant can steer (provider base URLs, webhook recipients
   * and endpoints) reach public addresses only, plus these CIDRs
   */
  egress: {
    allow: parseEgressAllow(env.get('EGRESS_ALLOW', '')),
  },

  /** Events out to the tenants' own webhook endpoints (the tenant-webhooks queue) */
  tenantWebhooks: {
    /**
     * Attempts per event and endpoint; the gaps double from the base delay,
     * with jitter: 10 attempts at 30 s cover 2 to 4 hours of a receiver down
     */
    maxAttempts: env.get('TENANT_WEBHOOK_MAX_ATTEMPTS', 10),
    baseDelayMs: env.get('TENANT_WEBHOOK_BASE_DELAY_MS', 30_000),
    /** Up to half of each gap is random, so a recovering receiver is not hit all at once */
    jitter: 0.5,
    /**
     * An endpoint whose every attempt has failed for this long is disabled: a
     * burst of failures is not an endpoint gone for good
     */
    disableAfterSeconds: env.get('TENANT_WEBHOOK_DISABLE_AFTER_SECONDS', 86_400),
    /** How often the webhooks worker looks for new events in webhook_outbox */
    relayIntervalMs: 200,
    timeoutMs: 10_000,
    concurrency: env.get('TENANT_WEBHOOK_CONCURRENCY', 10),
  },

  /**
   * comms:archive: messages in a final status older than this many days, with
   * their events, move to gzip JSON Lines files under `dir` (relative paths
   * are from the app root)
   */
  archive: {
    afterDays: env.get('ARCHIVE_AFTER_DAYS', 90),
    dir: env.get('ARCHIVE_DIR', './storage/archive'),
  },

  bulk: {
    maxRecipients: env.get('BULK_MAX_RECIPIENTS'),
    /** Rows per INSERT statement and jobs per addBulk call */
    chunkSize: 1000,
  },
}

export default messagingConfig
export type MessagingConfig = typeof messagingConfig
