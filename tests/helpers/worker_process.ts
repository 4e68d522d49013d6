import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import app from '@adonisjs/core/services/app'
import { waitUntil } from '#tests/helpers/wait'

/**
 * A real worker process (`node ace messages:work` or `webhooks:work`), as production runs it.
 */
export class WorkerProcess {
  #child: ChildProcess
  #exit: Promise<number | null>
  output = ''

  private constructor(child: ChildProcess) {
    this.#child = child
    child.stdout!.on('data', (chunk) => (this.output += chunk))
    child.stderr!.on('data', (chunk) => (this.output += chunk))
    this.#exit = new Promise((resolve) => child.once('exit', (code) => resolve(code)))
  }

  static start(priority: string, env: Record<string, string> = {}) {
    return WorkerProcess.#spawn(['messages:work', `--priority=${priority}`], `the ${priority}`, env)
  }

  /** `node ace webhooks:work`: the tenant-webhooks queue */
  static startTenantWebhooks(env: Record<string, string> = {}) {
    return WorkerProcess.#spawn(['webhooks:work'], 'the tenant webhooks', env)
  }

  static async #spawn(command: string[], name: string, env: Record<string, string>) {
    const child = spawn(process.execPath, ['ace', ...command], {
      cwd: fileURLToPath(app.appRoot),
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const worker = new WorkerProcess(child)
    await waitUntil(
      `${name} worker to start`,
      async () => worker.output.includes('worker started') || worker.exitedEarly(),
      { timeoutMs: 30_000 }
    )
    if (child.exitCode !== null) {
      throw new Error(`worker exited at start with ${child.exitCode}:\n${worker.output}`)
    }
    return worker
  }

  get pid() {
    return this.#child.pid!
  }

  /** Send a signal and resolve with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM') {
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill(signal)
    }
    return this.#exit
  }

  private exitedEarly() {
    return this.#child.exitCode !== null
  }
}
