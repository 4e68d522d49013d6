import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import { retryOnDeadlock } from '#messaging/deadlock_retry'

/**
 * Two transactions taking two locks in opposite orders, each waiting for the
 * other to hold its first lock: PostgreSQL aborts one of them (40P01).
 */
test.group('retryOnDeadlock', () => {
  test('the transaction PostgreSQL picks as a deadlock victim runs again and commits', async ({
    assert,
  }) => {
    let attempts = 0
    let bothHoldFirstLock: () => void
    const firstLocksHeld = new Promise<void>((resolve) => (bothHoldFirstLock = resolve))
    let holding = 0

    const lockBoth = (first: number, second: number) =>
      retryOnDeadlock(() =>
        db.transaction(async (trx) => {
          attempts++
          await trx.rawQuery('SELECT pg_advisory_xact_lock(?)', [first])
          if (++holding === 2) bothHoldFirstLock()
          await firstLocksHeld
          await trx.rawQuery('SELECT pg_advisory_xact_lock(?)', [second])
          return `${first}→${second}`
        })
      )

    const results = await Promise.all([lockBoth(71_001, 71_002), lockBoth(71_002, 71_001)])

    assert.deepEqual(results, ['71001→71002', '71002→71001'])
    assert.equal(attempts, 3)
  }).timeout(15_000)

  test('other errors are not retried', async ({ assert }) => {
    let attempts = 0
    await assert.rejects(() =>
      retryOnDeadlock(async () => {
        attempts++
        await db.rawQuery('SELECT 1 / 0')
      })
    )
    assert.equal(attempts, 1)
  })
})
