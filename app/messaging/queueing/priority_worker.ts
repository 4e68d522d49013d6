import { setTimeout as sleep } from 'node:timers/promises'
import { Worker, DelayedError, UnrecoverableError, type Job as BullJob } from 'bullmq'
import db from '@adonisjs/lucid/services/db'
import type { Logger, LoggerManager } from '@adonisjs/core/logger'
import type { LoggersList } from '@adonisjs/core/types'
import type { ApplicationService } from '@adonisjs/core/types'
import type queueConfig from '#config/queue'
import type { Job } from '@rlanz/bull-queue'
import { isServiceUnavailable } from '#exceptions/service_availability'

/** How often a paused worker asks PostgreSQL and Redis whether they are back */
const PROBE_INTERVAL_MS = 1_000

/** Where and how workers connect: the queue config's defaultConnection and worker options */
export type WorkerConnection = Pick<typeof queueConfig, 'defaultConnection' | 'worker'>

type JobClass = new (...args: any[]) => Job & {
  handle(payload: unknown): Promise<unknown>
  rescue(payload: unknown, error: Error): Promise<unknown>
}

/**
 * The worker of one queue: a priority's messages-p* queue, or tenant-webhooks.
 * It runs @rlanz/bull-queue job classes the way that package does, with what
 * it lacks: a job whose module cannot be loaded fails visibly (never counted
 * as completed), a job that exhausted its retries is rescued without crashing
 * the process, close() lets in-flight jobs finish, and an outage of
 * PostgreSQL or Redis pauses the worker instead of failing every job in line.
 */
export class PriorityWorker {
  #worker: Worker | null = null
  #paused = false
  #jobsRoot: string

  constructor(
    private app: ApplicationService,
    private logger: Logger,
    private connection: WorkerConnection
  ) {
    this.#jobsRoot = app.makeURL('app/jobs/').href
  }

  start(queueName: string, concurrency: number) {
    this.#worker = new Worker(queueName, (job, token) => this.#run(job, token), {
      ...this.connection.worker,
      connection: this.connection.defaultConnection,
      concurrency,
    })
    this.#worker.on('failed', (job, error) => this.#onFailed(job, error))
    this.#worker.on('error', (error) => this.logger.error({ err: error }, 'worker error'))
    this.logger.info({ queue: queueName, concurrency }, 'worker started')
    return this
  }

  /**
   * Stop taking jobs and wait for the ones in flight to finish.
   */
  async close() {
    if (this.#worker) {
      await this.#worker.close()
      this.logger.info('worker stopped')
    }
  }

  async #run(job: BullJob, token?: string) {
    const instance = await this.#instantiate(job)
    try {
      return await instance.handle(job.data)
    } catch (error) {
      if (!isServiceUnavailable(error)) throw error
      // Not the job's fault: it waits without spending an attempt, and the
      // worker takes no more jobs until the services answer again.
      this.#pauseUntilAvailable(error)
      await job.moveToDelayed(Date.now() + PROBE_INTERVAL_MS, token)
      throw new DelayedError()
    }
  }

  #pauseUntilAvailable(error: unknown) {
    const worker = this.#worker
    if (this.#paused || !worker) return
    this.#paused = true
    this.logger.warn({ err: error }, 'a backing service is unavailable: worker paused')
    void worker.pause(true).then(async () => {
      await this.#waitForServices()
      this.#paused = false
      if (!worker.closing) {
        worker.resume()
        this.logger.info('backing services answer again: worker resumed')
      }
    })
  }

  async #waitForServices() {
    for (;;) {
      try {
        await db.rawQuery('SELECT 1')
        await this.#worker!.waitUntilReady()
        return
      } catch {
        await sleep(PROBE_INTERVAL_MS)
      }
    }
  }

  async #instantiate(job: BullJob) {
    const JobClass = await this.#load(job.name)
    const instance = await this.app.container.make(JobClass)
    this.#jobLogger ??= this.app.container.make('logger')
    instance.$injectInternal({ job, logger: await this.#jobLogger })
    return instance
  }

  #jobLogger?: Promise<LoggerManager<LoggersList>>

  /** Job classes by module URL: loaded once per process, not once per job */
  #loaded = new Map<string, Promise<JobClass>>()

  #load(name: string): Promise<JobClass> {
    let loaded = this.#loaded.get(name)
    if (!loaded) {
      loaded = this.#import(name)
      this.#loaded.set(name, loaded)
    }
    return loaded
  }

  async #import(name: string): Promise<JobClass> {
    if (!name.startsWith(this.#jobsRoot)) {
      throw new UnrecoverableError(`job ${name} is not one of this application's jobs`)
    }
    try {
      const module = await import(name)
      if (typeof module.default !== 'function') {
        throw new Error('the module has no default export')
      }
      return module.default
    } catch (error) {
      throw new UnrecoverableError(`job ${name} cannot be loaded: ${(error as Error).message}`)
    }
  }

  async #onFailed(job: BullJob | undefined, error: Error) {
    const final =
      !!job && (error instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1))
    this.logger.error(
      { err: error, jobId: job?.id, messageId: job?.data?.messageId, final },
      final ? 'job failed for good' : 'job failed, will be retried'
    )
    if (!job || !final) {
      return
    }
    try {
      const instance = await this.#instantiate(job)
      await instance.rescue(job.data, error)
    } catch (rescueError) {
      this.logger.error(
        { err: rescueError, jobId: job.id, messageId: job.data?.messageId },
        'job rescue failed'
      )
    }
  }
}
