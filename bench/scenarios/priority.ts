import { setTimeout as sleep } from 'node:timers/promises'
import { Priority } from '#enums/priority'
import type { BenchContext } from '#bench/bench_context'
import { percentile } from '#bench/report'
import type { CpuMeasured } from '#bench/cpu_meter'

/** One P0 message every this many ms while the backlog drains */
const PROBE_INTERVAL_MS = 50
const STALL_MS = 60_000

export interface PriorityRun extends CpuMeasured {
  backlog: number
  /** The P3 backlog's own drain rate, messages/s */
  backlogPerSecond: number
  probes: number
  p50Ms: number
  p99Ms: number
  maxMs: number
}

interface Probe {
  id: string
  repliedAt: number
}

/**
 * Scenario 3: a `backlog` of P3 email messages queued, then released to
 * drain at full speed while P0 messages are sent one at a time through
 * POST /api/v1/messages. A P0 message's latency runs from the API's 201 to
 * the Postal fake receiving it.
 */
export async function priority(ctx: BenchContext, backlog: number): Promise<PriorityRun> {
  await ctx.queueBacklog(backlog, Priority.P3)

  const probes: Probe[] = []
  const { arrivals } = ctx.postal
  const probesArrived = () => probes.filter((probe) => arrivals.has(probe.id)).length
  const backlogArrived = () => arrivals.size - probesArrived()

  const cpu = await ctx.cpu.start()
  const startedAt = performance.now()
  await ctx.release([Priority.P3])
  let progress = { count: -1, at: startedAt }
  do {
    const tickAt = performance.now()
    const reply = await ctx.api.postJson<{ id: string }>(
      '/api/v1/messages',
      {
        channel: 'email',
        priority: Priority.P0,
        recipient: `p0-${probes.length}@probe.bench.example`,
        subject: 'Bench P0',
        content: { text: 'A P0 probe' },
      },
      ctx.tenant.headers
    )
    probes.push({ id: reply.json.id, repliedAt: reply.receivedAt })

    const arrived = backlogArrived()
    if (arrived !== progress.count) progress = { count: arrived, at: tickAt }
    if (tickAt - progress.at > STALL_MS) {
      throw new Error(`priority: the P3 backlog stuck at ${arrived} of ${backlog}`)
    }
    await ctx.services.assertRunning()
    await sleep(Math.max(0, PROBE_INTERVAL_MS - (performance.now() - tickAt)))
  } while (backlogArrived() < backlog)
  const cpuPercent = await cpu.stop()

  await ctx.waitFor('priority: P0 probes at the fake', probesArrived, probes.length, {
    stallMs: 30_000,
  })
  const total = backlog + probes.length
  await ctx.waitFor(
    'priority: every message sent',
    async () => total - (await ctx.unfinished()),
    total
  )

  const probeIds = new Set(probes.map((probe) => probe.id))
  let drainedAt = startedAt
  for (const [id, at] of arrivals) if (!probeIds.has(id)) drainedAt = Math.max(drainedAt, at)
  // A send can reach the fake before our client has read the 201 that announced it
  const latencies = probes.map((probe) => Math.max(0, arrivals.get(probe.id)! - probe.repliedAt))
  return {
    backlog,
    backlogPerSecond: backlog / ((drainedAt - startedAt) / 1000),
    probes: probes.length,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: Math.max(...latencies),
    cpuPercent,
  }
}
