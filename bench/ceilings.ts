import { randomUUID } from 'node:crypto'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Worker } from 'bullmq'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import app from '@adonisjs/core/services/app'
import queue from '@rlanz/bull-queue/services/main'
import type queueConfig from '#config/queue'
import { recipientAt } from '#bench/bench_context'
import { ApiClient, expectStatus, inParallel } from '#bench/api_client'
import { withBareWebhookReceiver } from '#bench/bare_webhook_receiver'
import type { SignedCallback } from '#bench/postal_callbacks'

/**
 * The raw ceilings: what the building blocks do alone on this machine, in
 * the same run, so each scenario's figure is also a ratio to what it is made
 * of. The queue is a scratch one with the service's own prefix, connection
 * and job options; the rows go into the real `messages` table.
 */
const SCRATCH_QUEUE = 'bench-ceiling'
/** The service's own addBulk chunk (config/messaging.ts bulk.chunkSize) */
const ADD_BULK_CHUNK = 1000
/** The P2 and P3 workers' concurrency */
const NOOP_CONCURRENCY = 50
const TIMEOUT_MS = 300_000

/** Jobs shaped as the service's: the message id as data and as job id */
function scratchJobs(count: number) {
  return Array.from({ length: count }, () => {
    const id = randomUUID()
    return { name: 'noop', data: { messageId: id }, opts: { jobId: id } }
  })
}

async function addInChunks(jobs: ReturnType<typeof scratchJobs>) {
  const scratch = queue.getOrSet(SCRATCH_QUEUE)
  for (let start = 0; start < jobs.length; start += ADD_BULK_CHUNK) {
    await scratch.addBulk(jobs.slice(start, start + ADD_BULK_CHUNK))
  }
}

async function emptyScratchQueue() {
  await queue.getOrSet(SCRATCH_QUEUE).obliterate({ force: true })
}

/** BullMQ addBulk in chunks of 1,000, awaited one after the other: jobs/s */
export async function addBulkCeiling(count: number) {
  await emptyScratchQueue()
  const jobs = scratchJobs(count)
  const startedAt = performance.now()
  await addInChunks(jobs)
  const seconds = (performance.now() - startedAt) / 1000
  await emptyScratchQueue()
  return count / seconds
}

/** A BullMQ worker with concurrency 50 whose jobs do nothing, over a full queue: jobs/s */
export async function noopWorkerCeiling(count: number) {
  await emptyScratchQueue()
  await addInChunks(scratchJobs(count))
  const config = app.config.get<typeof queueConfig>('queue')
  const worker = new Worker(SCRATCH_QUEUE, async () => {}, {
    ...config.worker,
    connection: config.defaultConnection,
    concurrency: NOOP_CONCURRENCY,
    autorun: false,
  })
  let completed = 0
  const done = new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no-op worker: ${completed} of ${count} jobs done in time`)),
      TIMEOUT_MS
    )
    worker.on('completed', () => {
      if (++completed < count) return
      clearTimeout(timer)
      resolve(performance.now())
    })
    worker.on('error', reject)
  })
  const startedAt = performance.now()
  void worker.run()
  try {
    const endedAt = await done
    return count / ((endedAt - startedAt) / 1000)
  } finally {
    await worker.close()
    await emptyScratchQueue()
  }
}

/**
 * PostgreSQL COPY of `count` rows shaped as a bulk send's into `messages`
 * (pg-copy-streams over the service's own connection settings): rows/s.
 * The rows are removed again (the bench's own database holds nothing else).
 */
export async function copyCeiling(count: number, tenantId: string) {
  const now = new Date().toISOString()
  const chunks: Buffer[] = []
  for (let start = 0; start < count; start += 1000) {
    let text = ''
    for (let index = start; index < Math.min(start + 1000, count); index++) {
      const recipient = recipientAt(index)
      const domain = recipient.slice(recipient.indexOf('@') + 1)
      text += `${randomUUID()}\t${tenantId}\temail\tP4\ttransactional\t${recipient}\t${domain}\tBench\t{"text": "Hello from the Switchboard benchmark"}\tqueued\t${now}\t{}\t${now}\t${now}\n`
    }
    chunks.push(Buffer.from(text))
  }

  const client = new pg.Client(app.config.get('database.connections.postgres.connection'))
  await client.connect()
  try {
    const startedAt = performance.now()
    await pipeline(
      Readable.from(chunks),
      client.query(
        copyFrom(
          `COPY messages (id, tenant_id, channel, priority, message_type, recipient,
             recipient_domain, subject, content, status, next_attempt_at, metadata,
             created_at, updated_at) FROM STDIN`
        )
      )
    )
    const seconds = (performance.now() - startedAt) / 1000
    await client.query('TRUNCATE messages CASCADE')
    return count / seconds
  } finally {
    await client.end()
  }
}

/**
 * Signed callbacks verified and answered by a bare receiver
 * (bare_webhook_receiver.ts), POSTed as the webhooks scenario POSTs them,
 * `concurrency` in flight: callbacks/s
 */
export async function bareWebhookCeiling(
  callbacks: SignedCallback[],
  publicKey: string,
  concurrency: number
) {
  return withBareWebhookReceiver(publicKey, async (baseUrl) => {
    const client = new ApiClient(baseUrl)
    try {
      const startedAt = performance.now()
      await inParallel(callbacks, concurrency, async (callback) => {
        const response = await client.post('/', callback.body, callback.headers)
        expectStatus(response, 200, 'POST to the bare webhook receiver')
      })
      return callbacks.length / ((performance.now() - startedAt) / 1000)
    } finally {
      client.close()
    }
  })
}

/**
 * The API under test answering GET /health `count` times, `concurrency` in
 * flight: routing, the global middleware and a JSON reply, with no body, no
 * database and no queue. What one API process answers at most: requests/s
 */
export async function apiNoopCeiling(api: ApiClient, count: number, concurrency: number) {
  const startedAt = performance.now()
  await inParallel(Array.from({ length: count }), concurrency, async () => {
    expectStatus(await api.get('/health'), 200, 'GET /health')
  })
  return count / ((performance.now() - startedAt) / 1000)
}
