/** PostgreSQL's deadlock_detected: it aborted this transaction to let another one finish */
const DEADLOCK_DETECTED = '40P01'
const ATTEMPTS = 3

/**
 * Runs a transaction again when PostgreSQL chose it as a deadlock's victim.
 * Batches lock several messages at once, and a worker's batch and a webhook
 * batch can take two of them in opposite orders; the victim rolled back whole,
 * so running it again is safe.
 */
export async function retryOnDeadlock<T>(transaction: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transaction()
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code
      if (code !== DEADLOCK_DETECTED || attempt >= ATTEMPTS) throw error
    }
  }
}
