import { BaseCommand, flags } from '@adonisjs/core/ace'
import type { CommandOptions } from '@adonisjs/core/types/ace'
import type { LockService } from '@adonisjs/lock/types'

type Lock = ReturnType<LockService['createLock']>

/**
 * A scheduled command that runs at most once at a time across every scheduler
 * process (and machine) sharing our Redis. adonisjs-scheduler's
 * `withoutOverlapping()` guards one process only; this takes a Redis lock
 * (@adonisjs/lock: SET NX PX with an owner token, Lua-checked release and
 * extension) named after the command.
 *
 * Extend it instead of BaseCommand and implement `runExclusive()`:
 *
 * ```ts
 * export default class CommsPersistCounters extends ExclusiveCommand {
 *   static commandName = 'comms:persist-counters'
 *   static description = 'Copy the Redis rate-limit counters into rate_limits'
 *
 *   protected async runExclusive() {
 *     for (const batch of batches) {
 *       if (this.lockLost.aborted) return // long loops: stop between batches
 *       if (!this.dryRun) await write(batch)
 *     }
 *   }
 * }
 * ```
 *
 * - `startApp: true` and the `--dry-run` flag (`this.dryRun`) come with it:
 *   honour the flag, every scheduled command must accept it.
 * - When another process holds the lock, the command logs
 *   "<name> is already running elsewhere, skipped" and exits 0 without
 *   calling `runExclusive()`. Redis unreachable: the command fails (exit 1)
 *   rather than run unguarded.
 * - The lock lives `static lockTtl` ms (60 s) and is extended every third of
 *   that while `runExclusive()` runs: a long run keeps it, a crashed process
 *   frees it within one TTL. If an extension fails (Redis gone, or the key
 *   expired and another process took it), `this.lockLost` aborts: stop at the
 *   next safe point; the command then exits 1.
 * - The lock is released however `runExclusive()` ends; its errors fail the
 *   command as usual.
 */
export abstract class ExclusiveCommand extends BaseCommand {
  static options: CommandOptions = { startApp: true }

  /** Milliseconds the lock lives without a heartbeat */
  static lockTtl = 60_000

  /** The lock a command takes: hold it yourself (same lock service) to keep the command from running */
  static lockName(commandName: string) {
    return `scheduled-command:${commandName}`
  }

  @flags.boolean({ description: 'Report what would change without changing anything' })
  declare dryRun: boolean

  #lockLost = new AbortController()

  /** Aborts when this process no longer holds the lock */
  protected get lockLost(): AbortSignal {
    return this.#lockLost.signal
  }

  /** The command's work, run only while this process holds the lock */
  protected abstract runExclusive(): Promise<void>

  async run() {
    const { lockTtl } = this.constructor as typeof ExclusiveCommand
    const locks = await this.app.container.make('lock.manager')
    const lock = locks.createLock(ExclusiveCommand.lockName(this.commandName), lockTtl)
    if (!(await lock.acquireImmediately())) {
      this.logger.info(`${this.commandName} is already running elsewhere, skipped`)
      return
    }

    const stopHeartbeat = this.#keepAlive(lock, lockTtl)
    try {
      await this.runExclusive()
    } finally {
      await stopHeartbeat()
      await this.#release(lock)
    }
    if (this.lockLost.aborted) {
      this.exitCode = 1
    }
  }

  /** Extends the lock every third of its TTL; resolves the stopper once no extension is in flight. */
  #keepAlive(lock: Lock, ttl: number) {
    let inFlight: Promise<void> = Promise.resolve()
    const timer = setInterval(() => {
      inFlight = lock.extend().catch((error) => {
        clearInterval(timer)
        this.logger.error(`lost the lock of ${this.commandName}: ${error.message}`)
        this.#lockLost.abort(error)
      })
    }, ttl / 3)
    return async () => {
      clearInterval(timer)
      await inFlight
    }
  }

  /** A failed release is logged, not thrown: the key expires by itself within one TTL. */
  async #release(lock: Lock) {
    if (this.lockLost.aborted) return
    try {
      await lock.release()
    } catch (error) {
      this.logger.warning(`could not release the lock of ${this.commandName}: ${error.message}`)
    }
  }
}
