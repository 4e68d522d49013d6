import { Priority, PRIORITIES } from '#enums/priority'
import type { BenchContext } from '#bench/bench_context'
import type { CpuMeasured } from '#bench/cpu_meter'

/** Bulk calls in flight at once: a client with one connection per core of this machine */
export const BULK_ACCEPT_CONCURRENCY = 2

export interface BulkAcceptRun extends CpuMeasured {
  recipients: number
  seconds: number
  perSecond: number
}

/**
 * Scenario 1: `total` email recipients through POST /api/v1/messages/bulk,
 * 10,000 per call, timed from the first request until every row is committed
 * and every job is on its queue. The workers are held meanwhile, so the jobs
 * stay queued and the clock measures accepting alone.
 */
export async function bulkAccept(ctx: BenchContext, total: number): Promise<BulkAcceptRun> {
  await ctx.wipe()
  await ctx.hold(PRIORITIES)
  const bodies = ctx.bulkBodies(total, Priority.P4)

  const cpu = await ctx.cpu.start()
  const startedAt = performance.now()
  const lastReplyAt = await ctx.sendBulk(bodies, BULK_ACCEPT_CONCURRENCY)
  // A 201 comes after the commit and the addBulk; the end is the last one,
  // unless the rows or jobs it vouched for turn up only later
  const stored = async () => {
    const statuses = await ctx.statusCounts()
    return Math.min(statuses.queued ?? 0, await ctx.jobsWaiting())
  }
  const endedAt =
    (await stored()) >= total
      ? lastReplyAt
      : await ctx.waitFor('bulk accept: rows and jobs', stored, total, { stallMs: 10_000 })
  const cpuPercent = await cpu.stop()

  // Drop the jobs before the workers are released: they are no part of any later scenario
  await ctx.wipe()
  const seconds = (endedAt - startedAt) / 1000
  return { recipients: total, seconds, perSecond: total / seconds, cpuPercent }
}
