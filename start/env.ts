/*
|--------------------------------------------------------------------------
| Environment variables
|--------------------------------------------------------------------------
|
| Every variable the service reads is validated here at boot; .env.example
| lists and explains each one.
|
*/
import { Env } from '@adonisjs/core/env'

// AdonisJS's loader lets a .env value replace a variable exported empty; an exported
// `EGRESS_ALLOW=` must mean "no internal range" whatever .env or .env.test name
const egressAllowExported = process.env.EGRESS_ALLOW

const env = await Env.create(new URL('../', import.meta.url), {
  NODE_ENV: Env.schema.enum(['development', 'production', 'test'] as const),
  PORT: Env.schema.number(),
  HOST: Env.schema.string({ format: 'host' }),
  APP_KEY: Env.schema.string(),
  APP_URL: Env.schema.string({ format: 'url', tld: false }),
  LOG_LEVEL: Env.schema.enum([
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ] as const),
  /** json (one object per line) or pretty; default json, pretty in development */
  LOG_FORMAT: Env.schema.enum.optional(['json', 'pretty'] as const),
  /** Bearer token GET /metrics requires; unset, /metrics refuses every request */
  METRICS_TOKEN: Env.schema.string.optional(),

  /*
  | PostgreSQL: the source of truth
  */
  DB_HOST: Env.schema.string({ format: 'host' }),
  DB_PORT: Env.schema.number(),
  DB_USER: Env.schema.string(),
  DB_PASSWORD: Env.schema.string.optional(),
  DB_DATABASE: Env.schema.string(),
  DB_POOL_MAX: Env.schema.number(),

  /*
  | Redis: queues, counters, health windows
  */
  REDIS_HOST: Env.schema.string({ format: 'host' }),
  REDIS_PORT: Env.schema.number(),
  REDIS_PASSWORD: Env.schema.string.optional(),
  REDIS_DB: Env.schema.number(),
  QUEUE_PREFIX: Env.schema.string(),

  /*
  | Delivery
  */
  CREDENTIALS_KEY: Env.schema.string(),
  /** Keys that only open credentials (comma-separated): the keys of a rotation in progress */
  CREDENTIALS_PREVIOUS_KEYS: Env.schema.string.optional(),
  DEFAULT_GATEWAY: Env.schema.enum(['log'] as const),
  LOG_GATEWAY_LATENCY_MS: Env.schema.number(),
  /** The sandbox's accounts derive their keys from it (bin/setup generates it); unused in production */
  SANDBOX_SECRET: Env.schema.string.optional(),
  WORKER_CONCURRENCY_P0: Env.schema.number(),
  WORKER_CONCURRENCY_P1: Env.schema.number(),
  WORKER_CONCURRENCY_P2: Env.schema.number(),
  WORKER_CONCURRENCY_P3: Env.schema.number(),
  WORKER_CONCURRENCY_P4: Env.schema.number(),
  BULK_WORKER_NICE: Env.schema.number.optional(),
  MESSAGE_LEASE_SECONDS: Env.schema.number(),
  MESSAGE_MAX_ATTEMPTS: Env.schema.number(),
  RETRY_BASE_DELAY_MS: Env.schema.number(),
  STUCK_QUEUED_ALERT_MINUTES: Env.schema.number(),
  SOFT_BOUNCE_THRESHOLD: Env.schema.number.optional(),
  SOFT_BOUNCE_WINDOW_DAYS: Env.schema.number.optional(),

  /*
  | Routing: rate limits and gateway health
  */
  DOMAIN_RATE_LIMITS: Env.schema.string.optional(),
  DEFAULT_DOMAIN_RATE_LIMIT: Env.schema.string.optional(),
  TENANT_RATE_LIMIT: Env.schema.string.optional(),
  TENANT_API_RATE_LIMIT: Env.schema.string.optional(),
  BULK_DOMAIN_SHARE: Env.schema.number.optional(),
  HEALTH_WINDOW_SECONDS: Env.schema.number.optional(),
  CIRCUIT_FAILURE_THRESHOLD: Env.schema.number.optional(),
  CIRCUIT_ERROR_RATE: Env.schema.number.optional(),
  CIRCUIT_MIN_VOLUME: Env.schema.number.optional(),
  CIRCUIT_COOLDOWN_SECONDS: Env.schema.number.optional(),

  /*
  | Egress: internal ranges (CIDRs, comma-separated) tenant-steered calls may reach
  */
  EGRESS_ALLOW: Env.schema.string.optional(),

  /*
  | Tenant webhooks out
  */
  TENANT_WEBHOOK_MAX_ATTEMPTS: Env.schema.number.optional(),
  TENANT_WEBHOOK_BASE_DELAY_MS: Env.schema.number.optional(),
  TENANT_WEBHOOK_DISABLE_AFTER_SECONDS: Env.schema.number.optional(),
  TENANT_WEBHOOK_CONCURRENCY: Env.schema.number.optional(),

  /*
  | Archive (comms:archive)
  */
  ARCHIVE_AFTER_DAYS: Env.schema.number.optional(),
  ARCHIVE_DIR: Env.schema.string.optional(),

  /*
  | HTTP API
  */
  API_BODY_LIMIT: Env.schema.string(),
  BULK_MAX_RECIPIENTS: Env.schema.number(),

  /*
  | The console (/console): how long a session lasts without activity (`8h`, `30m`)
  */
  CONSOLE_SESSION_AGE: Env.schema.string.optional(),
})

if (egressAllowExported !== undefined) env.set('EGRESS_ALLOW', egressAllowExported)

export default env
