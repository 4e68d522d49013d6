import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { PRIORITIES, type Priority } from '#enums/priority'

/**
 * The service runs from its production build (`node ace build`, made by
 * bin/bench into build/), as a deployment runs it: compiled JavaScript, no
 * TypeScript compiler in memory. bin/run_all.js runs the sources instead, for
 * development.
 */
/**
 * V8 heap budgets of the built service: without one, V8 lets its heap grow
 * toward a share of the machine's memory before it collects, and the
 * resident size follows. (`npm start`, bin/run_all.js, runs the sources and
 * gives them more, for the TypeScript compiler they carry.)
 */
const API_HEAP = '--max-old-space-size=256'
const WORKER_HEAP = '--max-old-space-size=128'

const API_ARGS = [API_HEAP, '--enable-source-maps', 'bin/server.js']
/** …and each priority's worker */
const workerArgs = (priority: Priority) => [
  WORKER_HEAP,
  'ace.js',
  'messages:work',
  `--priority=${priority}`,
]

const START_TIMEOUT_MS = 120_000
const STOP_TIMEOUT_MS = 30_000

export interface ServiceOptions {
  appRoot: string
  /** Each process writes its log lines to <logDir>/<name>.log */
  logDir: string
  env: NodeJS.ProcessEnv
  apiUrl: string
  /** When set, every process runs with node --cpu-prof and writes its profile here on exit */
  profileDir?: string
}

/** One service process, its output going straight to a log file. */
export class ServiceProcess {
  #child: ChildProcess
  #exit: Promise<void>

  private constructor(
    readonly name: string,
    readonly logPath: string,
    child: ChildProcess
  ) {
    this.#child = child
    this.#exit = new Promise((resolve) => child.once('exit', () => resolve()))
  }

  static spawn(name: string, args: string[], options: ServiceOptions) {
    const logPath = join(options.logDir, `${name}.log`)
    const log = openSync(logPath, 'w')
    const profile = options.profileDir
      ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`, `--cpu-prof-name=${name}.cpuprofile`]
      : []
    const child = spawn(process.execPath, [...profile, ...args], {
      cwd: join(options.appRoot, 'build'),
      env: options.env,
      // A file, not a pipe: the bench reads nothing on the hot path, and a busy
      // worker's log lines never wait for the bench's event loop
      stdio: ['ignore', log, log],
    })
    closeSync(log)
    return new ServiceProcess(name, logPath, child)
  }

  get pid() {
    return this.#child.pid!
  }

  get running() {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  async log() {
    return readFile(this.logPath, 'utf8')
  }

  /** The error to raise when the process is gone: its exit and its last log lines. */
  async exitError(when: string) {
    const log = await this.log()
    const tail = log.trimEnd().split('\n').slice(-20).join('\n')
    const exit = this.#child.signalCode ?? `code ${this.#child.exitCode}`
    return new Error(
      `${this.name} exited (${exit}) ${when}; last lines of ${this.logPath}:\n${tail}`
    )
  }

  /** SIGTERM (the service finishes its work in flight), SIGKILL if it does not exit in time. */
  async stop() {
    if (!this.running) return
    this.#child.kill('SIGTERM')
    const exited = await Promise.race([this.#exit.then(() => true), sleep(STOP_TIMEOUT_MS, false)])
    if (!exited) {
      this.#child.kill('SIGKILL')
      await this.#exit
    }
  }

  /** For the bench's own exit: no process it started may outlive it. */
  killNow() {
    if (this.running) this.#child.kill('SIGKILL')
  }

  /**
   * Start the peak RSS (VmHWM) afresh from the current RSS, so the next peak is
   * the scenario's own and not the start-up's (Linux 4.0+: clear_refs value 5).
   */
  async resetPeakRss() {
    try {
      await writeFile(`/proc/${this.pid}/clear_refs`, '5')
      return true
    } catch {
      return false
    }
  }

  /** Peak resident set size in MB since the start or the last reset. */
  async peakRssMb() {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8')
    const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1])
    return Math.round((kb / 1024) * 10) / 10
  }
}

/**
 * The service as production runs it (bin/run_all.js): the API and one worker
 * process per priority, each a real `node` process of its own. The scheduler
 * (its sweeper would re-queue the rows the bench holds back) and the tenant
 * webhooks worker (the bench tenant has no endpoints) are not part of it.
 */
export class ServiceProcesses {
  private constructor(
    readonly api: ServiceProcess,
    readonly workers: Map<Priority, ServiceProcess>
  ) {}

  static async start(options: ServiceOptions) {
    const api = ServiceProcess.spawn('api', API_ARGS, options)
    const workers = new Map(
      PRIORITIES.map((priority) => [
        priority,
        ServiceProcess.spawn(`worker-${priority.toLowerCase()}`, workerArgs(priority), options),
      ])
    )
    const services = new ServiceProcesses(api, workers)
    process.once('exit', () => services.all.forEach((service) => service.killNow()))
    try {
      await Promise.all([
        services.#ready(api, () => isHealthy(options.apiUrl)),
        ...[...workers.values()].map((worker) =>
          services.#ready(worker, async () => {
            const log = await worker.log()
            return log.includes('worker started')
          })
        ),
      ])
    } catch (error) {
      await services.stop()
      throw error
    }
    return services
  }

  get all() {
    return [this.api, ...this.workers.values()]
  }

  /** Fails with the process's last log lines when one of them died. */
  async assertRunning() {
    const dead = this.all.find((service) => !service.running)
    if (dead) throw await dead.exitError('during the benchmark')
  }

  /** False when the kernel does not let us reset the peaks (they then include start-up). */
  async resetPeakRss() {
    const done = await Promise.all(this.all.map((service) => service.resetPeakRss()))
    return done.every(Boolean)
  }

  async peakRssMb() {
    const peaks = await Promise.all(
      this.all.map(async (service) => [service.name, await service.peakRssMb()] as const)
    )
    return Object.fromEntries(peaks)
  }

  async stop() {
    await Promise.all(this.all.map((service) => service.stop()))
  }

  async #ready(service: ServiceProcess, probe: () => Promise<boolean>) {
    const deadline = Date.now() + START_TIMEOUT_MS
    while (!(await probe())) {
      if (!service.running) throw await service.exitError('at start')
      if (Date.now() > deadline) {
        throw new Error(`${service.name} was not ready within ${START_TIMEOUT_MS / 1000} s`)
      }
      await sleep(200)
    }
  }
}

async function isHealthy(apiUrl: string) {
  try {
    const response = await fetch(`${apiUrl}/health`)
    return response.ok
  } catch {
    return false
  }
}
