import { setTimeout as sleep } from 'node:timers/promises'

/**
 * Polls until `probe` returns a truthy value, or fails after `timeoutMs`
 * with the description of what was awaited.
 */
export async function waitUntil<T>(
  description: string,
  probe: () => Promise<T | null | undefined | false>,
  { timeoutMs = 15_000, intervalMs = 50 } = {}
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value) return value
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${description}`)
    }
    await sleep(intervalMs)
  }
}
