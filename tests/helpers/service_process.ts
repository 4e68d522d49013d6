import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'
import { waitUntil } from '#tests/helpers/wait'

export interface ServiceLaunch {
  /** What follows `node`: the entry script and its arguments */
  args: string[]
  /** A line the process logs once it is ready for work */
  readyWhen: string
  /** What the process is ("worker", "API"), first word of the error when it exits at start */
  kind: string
  /** Which one, in timeout messages */
  name: string
  env: Record<string, string>
}

/**
 * A real service process (a worker, the API) started as production starts it,
 * in the test environment, its output kept for assertions and failure reports.
 */
export class ServiceProcess {
  #child: ChildProcess
  #exit: Promise<number | null>
  output = ''

  protected constructor(child: ChildProcess) {
    this.#child = child
    child.stdout!.on('data', (chunk) => (this.output += chunk))
    child.stderr!.on('data', (chunk) => (this.output += chunk))
    this.#exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  }

  /** Spawns the process and resolves once it logged `readyWhen`. */
  protected static async launch<T extends ServiceProcess>(
    wrap: (child: ChildProcess) => T,
    { args, readyWhen, kind, name, env }: ServiceLaunch
  ) {
    const child = spawn(process.execPath, args, {
      cwd: fileURLToPath(app.appRoot),
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const service = wrap(child)
    await waitUntil(
      `${name} to start`,
      async () => service.output.includes(readyWhen) || !service.running,
      { timeoutMs: 30_000 }
    )
    if (!service.running) {
      throw new Error(`${kind} exited at start with ${child.exitCode}:\n${service.output}`)
    }
    return service
  }

  get pid() {
    return this.#child.pid!
  }

  get running() {
    return this.#child.exitCode === null && this.#child.signalCode === null
  }

  /** Send a signal and resolve with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    if (this.running) {
      this.#child.kill(signal)
    }
    return this.#exit
  }
}
