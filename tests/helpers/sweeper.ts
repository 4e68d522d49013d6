import ace from '@adonisjs/core/services/ace'
import { waitUntil } from '#tests/helpers/wait'

/** One run of the outbox sweeper (comms:release-stuck), with no grace for lost jobs. */
export async function sweep(...flags: string[]) {
  const command = await ace.exec('comms:release-stuck', ['--grace-seconds=0', ...flags])
  if (command.exitCode !== 0) throw command.error ?? new Error('sweeper failed')
}

/**
 * Polls `probe` until it holds, running the sweeper every `everyMs` meanwhile,
 * as the scheduler does in production (there once a minute).
 */
export async function sweepUntil<T>(
  description: string,
  probe: () => Promise<T | null | undefined | false>,
  { timeoutMs = 120_000, everyMs = 3_000 } = {}
) {
  let nextSweepAt = 0
  return waitUntil(
    description,
    async () => {
      const value = await probe()
      if (value || Date.now() < nextSweepAt) return value
      await sweep()
      nextSweepAt = Date.now() + everyMs
      return value
    },
    { timeoutMs, intervalMs: 250 }
  )
}
