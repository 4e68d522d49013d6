import env from '#start/env'
import type { JobsOptions } from 'bullmq'
import { defineConfig } from '@rlanz/bull-queue'

/**
 * BullMQ connection and defaults. Jobs carry only message ids; the row in
 * PostgreSQL is the truth, so completed jobs are removed at once (their id can
 * be reused by the stuck-message sweeper) and failed ones are kept for a while
 * for inspection.
 */
const jobs: JobsOptions = {
  attempts: env.get('MESSAGE_MAX_ATTEMPTS'),
  backoff: { type: 'exponential', delay: env.get('RETRY_BASE_DELAY_MS'), jitter: 0.5 },
  removeOnComplete: true,
  removeOnFail: { age: 7 * 24 * 3600, count: 10_000 },
}

const connection = {
  host: env.get('REDIS_HOST'),
  port: env.get('REDIS_PORT'),
  password: env.get('REDIS_PASSWORD'),
  db: env.get('REDIS_DB'),
}

export default defineConfig({
  /** Workers block on Redis and must retry forever */
  defaultConnection: { ...connection, maxRetriesPerRequest: null },

  queue: {
    /** Producers fail fast: a message committed but not queued is picked up by the sweeper */
    connection: { ...connection, maxRetriesPerRequest: 2 },
    prefix: env.get('QUEUE_PREFIX'),
    defaultJobOptions: jobs,
  },

  worker: {
    prefix: env.get('QUEUE_PREFIX'),
  },

  jobs,
})
