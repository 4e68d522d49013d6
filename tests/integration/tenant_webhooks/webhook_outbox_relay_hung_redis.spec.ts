import { createServer, type Server, type Socket } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import { Queue } from 'bullmq'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { createTenant } from '#tests/helpers/tenants'
import {
  createSentSms,
  outboxRows,
  registerEndpoint,
  reportDelivered,
  tenantWebhookRetry,
} from '#tests/helpers/tenant_webhooks'
import { waitUntil } from '#tests/helpers/wait'
import {
  TENANT_WEBHOOKS_QUEUE,
  TenantWebhookQueue,
} from '#messaging/tenant_webhooks/tenant_webhook_queue'
import {
  EnqueueAbandonedError,
  WebhookOutboxRelay,
} from '#messaging/tenant_webhooks/webhook_outbox_relay'

/** A Redis that accepts connections and never answers: every command waits forever */
class HungRedis {
  #server: Server = createServer((socket) => this.#sockets.add(socket))
  #sockets = new Set<Socket>()

  get port() {
    return (this.#server.address() as { port: number }).port
  }

  async start() {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve))
    return this
  }

  async stop() {
    for (const socket of this.#sockets) socket.destroy()
    await new Promise((resolve) => this.#server.close(resolve))
  }
}

/** The real queue class, its BullMQ queue connected to the hung Redis */
class QueueOnHungRedis extends TenantWebhookQueue {
  #queue: Queue

  constructor(redis: HungRedis) {
    super(tenantWebhookRetry())
    this.#queue = new Queue(TENANT_WEBHOOKS_QUEUE, {
      connection: { host: '127.0.0.1', port: redis.port, maxRetriesPerRequest: null },
    })
  }

  queue() {
    return this.#queue
  }

  /** Never connected: close() drops the connection (disconnect() would wait for it) */
  async close() {
    await this.#queue.close()
  }
}

/** Whether a transaction other than ours holds the row's lock */
async function isLocked(outboxId: string) {
  const free = await db.transaction(async (trx) => {
    const { rows } = await trx.rawQuery(
      'SELECT id FROM webhook_outbox WHERE id = ? FOR UPDATE SKIP LOCKED',
      [outboxId]
    )
    return rows.length === 1
  })
  return !free
}

test.group('Tenant webhook outbox relay: a Redis that hangs pins nothing', (group) => {
  let redis: HungRedis
  let queue: QueueOnHungRedis
  const endpointIds: string[] = []

  group.each.setup(async () => {
    redis = await new HungRedis().start()
    queue = new QueueOnHungRedis(redis)
    return async () => {
      await queue.close()
      await redis.stop()
      // Left waiting on purpose: no later relay in this database must find them
      await db.from('webhook_outbox').whereIn('endpoint_id', endpointIds.splice(0)).delete()
    }
  })

  async function waitingEvent(client: Parameters<typeof registerEndpoint>[0]) {
    const { tenant, headers } = await createTenant()
    const endpoint = await registerEndpoint(client, headers, {
      url: 'http://127.0.0.1:9/never-called',
      eventTypes: ['message.delivered'],
    })
    await reportDelivered(await createSentSms(client, headers), tenant.id)
    endpointIds.push(endpoint.id)
    const [row] = await outboxRows([endpoint.id])
    return { endpointId: endpoint.id, outboxId: String(row.id) }
  }

  test('a pass gives up after its deadline and rolls back: the rows wait, unlocked', async ({
    client,
    assert,
  }) => {
    const { endpointId, outboxId } = await waitingEvent(client)
    const logger = await app.container.make('logger')
    const relay = new WebhookOutboxRelay(queue, logger, { intervalMs: 0, enqueueTimeoutMs: 300 })

    await assert.rejects(() => relay.relay(), EnqueueAbandonedError)

    assert.isFalse(await isLocked(outboxId))
    const rows = await outboxRows([endpointId])
    assert.deepEqual(
      rows.map((row) => String(row.id)),
      [outboxId]
    )
  })

  test('stop() returns while a pass waits on Redis, its rows handed back', async ({
    client,
    assert,
  }) => {
    const { endpointId, outboxId } = await waitingEvent(client)
    const logger = await app.container.make('logger')
    // A deadline far beyond this test: only stop() can end the wait
    const relay = new WebhookOutboxRelay(queue, logger, {
      intervalMs: 0,
      enqueueTimeoutMs: 600_000,
    }).start()
    await waitUntil('the pass to lock the row and wait on Redis', () => isLocked(outboxId))

    const stopped = await Promise.race([
      relay.stop().then(() => 'stopped'),
      sleep(10_000).then(() => 'still waiting'),
    ])

    assert.equal(stopped, 'stopped')
    assert.isFalse(await isLocked(outboxId))
    assert.lengthOf(await outboxRows([endpointId]), 1)
  })
})
