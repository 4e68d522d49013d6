import { test } from '@japa/runner'
import { RetryPolicy } from '#messaging/delivery/retry_policy'

test.group('Retry policy', () => {
  test('doubles per attempt, jittered between half and all of the ceiling', ({ assert }) => {
    const lowest = new RetryPolicy(1000, 60_000, () => 0)
    const highest = new RetryPolicy(1000, 60_000, () => 1)
    assert.deepEqual(
      [1, 2, 3, 4].map((attempt) => lowest.delayFor(attempt)),
      [500, 1000, 2000, 4000]
    )
    assert.deepEqual(
      [1, 2, 3, 4].map((attempt) => highest.delayFor(attempt)),
      [1000, 2000, 4000, 8000]
    )
  })

  test('never waits longer than the cap', ({ assert }) => {
    const policy = new RetryPolicy(1000, 60_000, () => 1)
    assert.equal(policy.delayFor(30), 60_000)
  })
})
