import db from '@adonisjs/lucid/services/db'
import { Priority } from '#enums/priority'
import { inParallel } from '#bench/api_client'
import type { BenchContext } from '#bench/bench_context'
import type { CpuMeasured } from '#bench/cpu_meter'

/** Callbacks in flight at once: Postal posts webhooks from many background workers */
export const WEBHOOK_CONCURRENCY = 50

export interface WebhooksRun extends CpuMeasured {
  events: number
  seconds: number
  perSecond: number
}

/**
 * Scenario 4: `total` sent email messages, then one signed Postal MessageSent
 * callback each POSTed to /api/webhooks/communication/postal/:providerId,
 * timed until every one was answered (each is verified, logged and applied
 * before its 200), then checked: every message delivered, every event stored.
 */
export async function webhooks(ctx: BenchContext, total: number): Promise<WebhooksRun> {
  await ctx.queueBacklog(total, Priority.P2)
  await ctx.dropJobs()
  await recordSent(ctx)
  const callbacks = await ctx.callbacksForSent()

  const cpu = await ctx.cpu.start()
  const startedAt = performance.now()
  let endedAt = startedAt
  await inParallel(callbacks, WEBHOOK_CONCURRENCY, async (callback) => {
    const repliedAt = await ctx.postCallback(callback)
    endedAt = Math.max(endedAt, repliedAt)
  })
  const cpuPercent = await cpu.stop()

  const statuses = await ctx.statusCounts()
  const events = await db
    .from('delivery_events')
    .where('tenant_id', ctx.tenant.id)
    .where('source', 'postal')
    .count('* as count')
    .first()
  if (statuses.delivered !== total || Number(events.count) !== total) {
    throw new Error(
      `webhooks: ${statuses.delivered ?? 0} of ${total} delivered, ${events.count} events stored`
    )
  }
  const seconds = (endedAt - startedAt) / 1000
  return { events: total, seconds, perSecond: total / seconds, cpuPercent }
}

/** The accepted messages recorded sent through the bench's Postal config, as the worker records a send */
async function recordSent(ctx: BenchContext) {
  await db.rawQuery(
    `UPDATE messages
        SET status = 'sent', sent_at = now(), gateway = ?, provider_config_id = ?,
            provider_message_id = id || '@rp.bench.example', next_attempt_at = NULL
      WHERE tenant_id = ?`,
    [`postal:${ctx.postalConfigId}`, ctx.postalConfigId, ctx.tenant.id]
  )
}
