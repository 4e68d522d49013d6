import { readdir, readFile } from 'node:fs/promises'

/** /proc's unit of CPU time (USER_HZ, 100 on every Linux the bench runs on) */
const TICKS_PER_SECOND = 100

/**
 * CPU used during a timed section, in % of one core (a 2-core machine has
 * 200 %): one entry per group of processes, and `machine`, the whole
 * machine's busy time (/proc/stat), kernel work no process is charged with
 * included.
 */
export type CpuShares = Record<string, number>

/** What a scenario's run reports of the CPU spent while it was timed */
export interface CpuMeasured {
  /** CPU used while it was timed, % of one core by process group */
  cpuPercent: CpuShares
}

/** Names a process's group (api, postgres, …) from its pid and its command (comm) */
export type ProcessGroup = (pid: number, command: string) => string

interface Snapshot {
  at: number
  /** User + system ticks of each process, by group then pid */
  ticks: Map<string, Map<number, number>>
  machineBusy: number
}

/**
 * Where the machine's CPU went while a scenario ran: every process's user
 * and system time from /proc/<pid>/stat (all its threads), summed by group.
 * A process that starts or ends within the section counts for the time /proc
 * shows of it at both ends (a new one from zero; one gone, not at all).
 */
export class CpuMeter {
  constructor(private groupOf: ProcessGroup) {}

  /** Starts a section; its `stop()` answers the shares since. */
  async start() {
    const before = await this.#snapshot()
    return { stop: async () => this.#shares(before, await this.#snapshot()) }
  }

  #shares(before: Snapshot, after: Snapshot): CpuShares {
    const seconds = (after.at - before.at) / 1000
    const percent = (ticks: number) => Math.round((ticks / TICKS_PER_SECOND / seconds) * 1000) / 10
    const shares: CpuShares = {}
    for (const [group, processes] of after.ticks) {
      let used = 0
      for (const [pid, ticks] of processes) used += ticks - (before.ticks.get(group)?.get(pid) ?? 0)
      shares[group] = percent(used)
    }
    shares.machine = percent(after.machineBusy - before.machineBusy)
    return shares
  }

  async #snapshot(): Promise<Snapshot> {
    const ticks = new Map<string, Map<number, number>>()
    const entries = await readdir('/proc')
    const pids = entries.filter((name) => /^\d+$/.test(name)).map(Number)
    const [machineBusy] = await Promise.all([
      busyTicks(),
      ...pids.map(async (pid) => {
        const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null)
        if (stat === null) return
        // pid (comm) state …: comm may hold spaces and parentheses, so cut at the last ')'
        const close = stat.lastIndexOf(')')
        const command = stat.slice(stat.indexOf('(') + 1, close)
        const fields = stat.slice(close + 2).split(' ')
        // Fields 14 and 15 of proc(5), utime and stime, counted from the state (field 3)
        const used = Number(fields[11]) + Number(fields[12])
        const group = this.groupOf(pid, command)
        const processes = ticks.get(group) ?? new Map<number, number>()
        processes.set(pid, used)
        ticks.set(group, processes)
      }),
    ])
    return { at: performance.now(), ticks, machineBusy }
  }
}

/** All CPUs' busy ticks from /proc/stat's first line: user, nice, system, irq and softirq */
async function busyTicks() {
  const stat = await readFile('/proc/stat', 'utf8')
  const [, ...values] = stat.slice(0, stat.indexOf('\n')).trim().split(/\s+/)
  const [user, nice, system, , , irq, softirq] = values.map(Number)
  return user + nice + system + irq + softirq
}
