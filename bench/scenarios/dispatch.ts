import { Priority } from '#enums/priority'
import type { BenchContext } from '#bench/bench_context'
import type { CpuMeasured } from '#bench/cpu_meter'

export interface DispatchRun extends CpuMeasured {
  messages: number
  seconds: number
  perSecond: number
  /** Sends the Postal fake accepted beyond one per message */
  duplicates: number
}

/**
 * Scenario 2: `total` P2 email messages queued (through the bulk API, with the
 * P2 worker held), then released: timed until every one is `sent`, which
 * takes the worker's whole path per message (claim, route, rate-limit check,
 * the gateway call to the Postal fake, status and event writes).
 */
export async function dispatch(ctx: BenchContext, total: number): Promise<DispatchRun> {
  await ctx.queueBacklog(total, Priority.P2)

  const cpu = await ctx.cpu.start()
  const startedAt = performance.now()
  await ctx.release([Priority.P2])
  // The fake's count is free to poll; the database is asked only for the last few
  await ctx.waitFor('dispatch: sends at the Postal fake', () => ctx.postal.arrivals.size, total)
  const endedAt = await ctx.waitFor(
    'dispatch: messages recorded sent',
    async () => total - (await ctx.unfinished()),
    total
  )
  const cpuPercent = await cpu.stop()

  const statuses = await ctx.statusCounts()
  if (statuses.sent !== total) {
    throw new Error(
      `dispatch: ${statuses.sent ?? 0} of ${total} sent (${JSON.stringify(statuses)})`
    )
  }
  const seconds = (endedAt - startedAt) / 1000
  return {
    messages: total,
    seconds,
    perSecond: total / seconds,
    duplicates: ctx.postal.duplicates,
    cpuPercent,
  }
}
