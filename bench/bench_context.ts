import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import db from '@adonisjs/lucid/services/db'
import { PRIORITIES, type Priority } from '#enums/priority'
import Tenant from '#models/tenant'
import { API_KEY_SCOPES } from '#messaging/tenants/api_key_scopes'
import { MessageQueues } from '#messaging/queueing/message_queues'
import { expectStatus, inParallel, type ApiClient } from '#bench/api_client'
import type { PostalSink } from '#bench/postal_sink'
import { PostalCallbackSigner, type SignedCallback } from '#bench/postal_callbacks'
import type { ServiceProcesses } from '#bench/service_processes'
import { CpuMeter, type ProcessGroup } from '#bench/cpu_meter'

/** Most recipients per bulk call (the issue's, and BULK_MAX_RECIPIENTS's default) */
export const BULK_PER_CALL = 10_000
export const POSTAL_FROM = 'Bench <bench@bench.switchboard.test>'
export const POSTAL_API_KEY = 'bench-postal-api-key'

/**
 * Recipients spread over a thousand domains, as a real list is: the
 * per-domain rate limits then hold none of them back at the bench's volumes.
 */
export function recipientAt(index: number) {
  return `r${index}@d${index % 1000}.bench.example`
}

/**
 * Each service process by its name (api, worker-p2, …); the bench itself,
 * which is the load and the Postal fake; PostgreSQL; Redis; and the rest.
 */
function processGroups(services: ServiceProcesses): ProcessGroup {
  const names = new Map(services.all.map((service) => [service.pid, service.name]))
  return (pid, command) => {
    const service = names.get(pid)
    if (service) return service
    if (pid === process.pid) return 'bench'
    if (command === 'postgres' || command === 'redis-server') return command
    return 'other'
  }
}

/** How often to poll, and how long progress may stand still before the wait fails */
interface WaitOptions {
  intervalMs?: number
  /** Fail when progress stays still this long */
  stallMs?: number
}

/**
 * What every scenario shares: the API client, the Postal fake, the service
 * processes, the bench tenant and its Postal provider, and the ways to hold,
 * seed, watch and wipe the service's state between runs.
 */
export class BenchContext {
  readonly queues = new MessageQueues()
  /** Where the CPU goes while a scenario is timed */
  readonly cpu: CpuMeter

  private constructor(
    readonly api: ApiClient,
    readonly postal: PostalSink,
    readonly services: ServiceProcesses,
    readonly tenant: { id: string; headers: Record<string, string> },
    readonly postalConfigId: string,
    readonly callbackSigner: PostalCallbackSigner
  ) {
    this.cpu = new CpuMeter(processGroups(services))
  }

  /**
   * A tenant with an API key (as `node ace tenants:create` makes one) and a
   * Postal provider created through the API, pointing at the fake.
   */
  static async prepare(api: ApiClient, postal: PostalSink, services: ServiceProcesses) {
    // Unlimited whatever TENANT_API_RATE_LIMIT and TENANT_RATE_LIMIT say: the bench measures the system
    const tenant = await Tenant.create({
      name: 'Bench',
      status: 'active',
      settings: { apiRateLimit: null, sendRateLimit: null },
    })
    const token = await Tenant.apiKeys.create(tenant, [...API_KEY_SCOPES], { name: 'bench' })
    const headers = { authorization: `Bearer ${token.value!.release()}` }
    const signer = new PostalCallbackSigner()
    const provider = await api.postJson<{ id: string }>(
      '/api/v1/providers',
      {
        type: 'postal',
        channel: 'email',
        name: 'Bench Postal fake',
        enabled: true,
        config: {
          baseUrl: postal.baseUrl,
          apiKey: POSTAL_API_KEY,
          from: POSTAL_FROM,
          webhookPublicKey: signer.publicKey,
        },
      },
      headers
    )
    return new BenchContext(
      api,
      postal,
      services,
      { id: tenant.id, headers },
      provider.json.id,
      signer
    )
  }

  /** Nothing left from the last run: no messages, events, jobs or counts at the fake. */
  async wipe() {
    // TRUNCATE is allowed on the append-only event log; row deletes are not
    await db.rawQuery('TRUNCATE messages, delivery_events, suppressions CASCADE')
    await this.dropJobs()
    this.postal.reset()
  }

  /**
   * Every job off every priority queue, and the queues taking jobs again. A
   * job whose message is already final may still be finishing in its worker:
   * it is let finish first.
   */
  async dropJobs() {
    const active = async () => {
      const counts = await Promise.all(
        PRIORITIES.map((priority) => this.queues.queue(priority).getActiveCount())
      )
      return counts.reduce((sum, count) => sum + count, 0)
    }
    // Progress is minus the jobs in flight: done at zero
    await this.waitFor('jobs in flight to finish', async () => -(await active()), 0, {
      stallMs: 30_000,
    })
    await Promise.all(
      PRIORITIES.map(async (priority) => {
        const queue = this.queues.queue(priority)
        await queue.obliterate({ force: true })
        await queue.resume()
      })
    )
  }

  /** Workers of these priorities take no new jobs until released (the flag is in Redis). */
  async hold(priorities: readonly Priority[]) {
    await Promise.all(priorities.map((priority) => this.queues.queue(priority).pause()))
  }

  async release(priorities: readonly Priority[]) {
    await Promise.all(priorities.map((priority) => this.queues.queue(priority).resume()))
  }

  /**
   * A fresh start with `total` messages of one priority accepted through the
   * bulk API and left queued: that priority's worker is held until released.
   */
  async queueBacklog(total: number, priority: Priority) {
    await this.wipe()
    await this.hold([priority])
    await this.sendBulk(this.bulkBodies(total, priority), 2)
    await this.waitFor(`${priority} backlog queued`, () => this.jobsWaiting(), total, {
      stallMs: 10_000,
    })
  }

  /** Bulk request bodies for `total` email recipients, at most BULK_PER_CALL each. */
  bulkBodies(total: number, priority: Priority) {
    const bodies: string[] = []
    for (let start = 0; start < total; start += BULK_PER_CALL) {
      const end = Math.min(start + BULK_PER_CALL, total)
      const recipients = []
      for (let index = start; index < end; index++)
        recipients.push({ recipient: recipientAt(index) })
      bodies.push(
        JSON.stringify({
          channel: 'email',
          priority,
          subject: 'Bench',
          content: { text: 'Hello from the Switchboard benchmark' },
          recipients,
        })
      )
    }
    return bodies
  }

  /**
   * POST the bodies to /api/v1/messages/bulk, `concurrency` at a time; every
   * recipient must come back queued. Resolves with when the last reply came.
   */
  async sendBulk(bodies: string[], concurrency: number) {
    let lastReplyAt = 0
    await inParallel(bodies, concurrency, async (body) => {
      const response = await this.api.post('/api/v1/messages/bulk', body, this.tenant.headers)
      const result = expectStatus(response, 201, 'POST /api/v1/messages/bulk') as {
        total: number
        queued: number
      }
      if (result.queued !== result.total) {
        throw new Error(`a bulk call queued ${result.queued} of ${result.total} recipients`)
      }
      lastReplyAt = Math.max(lastReplyAt, response.receivedAt)
    })
    return lastReplyAt
  }

  /**
   * One of everything the scenarios do before any clock runs: the API and each
   * worker load (and ts-node compiles) their lazily imported modules on first
   * use, which no run should pay for.
   */
  async warmUp() {
    await this.wipe()
    for (const priority of PRIORITIES) {
      await this.sendBulk(this.bulkBodies(1, priority), 1)
    }
    await this.api.postJson(
      '/api/v1/messages',
      { channel: 'email', recipient: recipientAt(0), subject: 'Bench', content: { text: 'Hi' } },
      this.tenant.headers
    )
    const total = PRIORITIES.length + 1
    await this.waitFor('warm-up sends', async () => total - (await this.unfinished()), total)
    for (const callback of await this.callbacksForSent()) await this.postCallback(callback)
    await this.wipe()
  }

  /** A signed Postal MessageSent callback for each of the tenant's sent messages */
  async callbacksForSent() {
    const rows: Array<{ id: string; recipient: string; provider_message_id: string }> = await db
      .from('messages')
      .where('tenant_id', this.tenant.id)
      .where('status', 'sent')
      .select('id', 'recipient', 'provider_message_id')
    return rows.map((row) =>
      this.callbackSigner.messageSent(
        { id: row.id, recipient: row.recipient, providerMessageId: row.provider_message_id },
        POSTAL_FROM
      )
    )
  }

  /** Signed callbacks about `count` made-up messages: what the bare webhook receiver is sent */
  callbacksAboutUnknownMessages(count: number) {
    return Array.from({ length: count }, (_, index) =>
      this.callbackSigner.messageSent(
        {
          id: randomUUID(),
          recipient: recipientAt(index),
          providerMessageId: `${index}@rp.bench.example`,
        },
        POSTAL_FROM
      )
    )
  }

  /** POST a callback to the Postal webhook endpoint of the bench's config; when the 200 came */
  async postCallback(callback: SignedCallback) {
    const path = `/api/webhooks/communication/postal/${this.postalConfigId}`
    const response = await this.api.post(path, callback.body, callback.headers)
    expectStatus(response, 200, `POST ${path}`)
    return response.receivedAt
  }

  /** Jobs on the priority queues that have not run yet (waiting, paused or delayed). */
  async jobsWaiting() {
    const counts = await Promise.all(
      PRIORITIES.map((priority) =>
        this.queues.queue(priority).getJobCounts('wait', 'paused', 'prioritized', 'delayed')
      )
    )
    return counts.reduce(
      (sum, count) => sum + count.wait + count.paused + count.prioritized + count.delayed,
      0
    )
  }

  /** The bench tenant's messages by status */
  async statusCounts(): Promise<Record<string, number>> {
    const rows = await db
      .from('messages')
      .where('tenant_id', this.tenant.id)
      .select('status')
      .count('* as count')
      .groupBy('status')
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]))
  }

  /** Messages not yet in a final status (the partial indexes on status answer this cheaply) */
  async unfinished() {
    const row = await db
      .from('messages')
      .where('tenant_id', this.tenant.id)
      .whereIn('status', ['scheduled', 'queued', 'sending'])
      .count('* as count')
      .first()
    return Number(row.count)
  }

  /**
   * Polls `progress` until it reaches `target`; resolves with performance.now()
   * at that moment. Fails when progress stalls (with the messages' statuses,
   * to see what got stuck) or a service process died.
   */
  async waitFor(
    description: string,
    progress: () => number | Promise<number>,
    target: number,
    { intervalMs = 10, stallMs = 60_000 }: WaitOptions = {}
  ) {
    let last = -1
    let movedAt = performance.now()
    let checkedAt = 0
    for (;;) {
      const value = await progress()
      const now = performance.now()
      if (value >= target) return now
      if (value !== last) {
        last = value
        movedAt = now
      }
      if (now - checkedAt > 1000) {
        checkedAt = now
        await this.services.assertRunning()
      }
      if (now - movedAt > stallMs) {
        const statuses = JSON.stringify(await this.statusCounts())
        throw new Error(
          `${description}: stuck at ${value} of ${target} for ${stallMs / 1000} s (messages: ${statuses})`
        )
      }
      await sleep(intervalMs)
    }
  }
}
