import { test } from '@japa/runner'
import { suspensionWaitMs } from '#messaging/delivery/message_dispatcher'

test.group('How long a suspended tenant’s message waits before its next look', () => {
  test('a tenth of the suspension so far, from 2 s up to an hour', ({ assert }) => {
    assert.equal(suspensionWaitMs(0), 2_000)
    assert.equal(suspensionWaitMs(60_000), 6_000)
    assert.equal(suspensionWaitMs(3_600_000), 360_000)
    assert.equal(suspensionWaitMs(5 * 3_600_000), 1_800_000)
    assert.equal(suspensionWaitMs(30 * 86_400_000), 3_600_000)
  })
})
