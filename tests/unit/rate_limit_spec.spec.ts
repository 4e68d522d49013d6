import { test } from '@japa/runner'
import {
  parseDomainLimits,
  parseRateLimit,
  parseWholeSecondRateLimit,
} from '#messaging/routing/rate_limit_spec'

test.group('Rate limit specs from the environment', () => {
  test('count/seconds, or none', ({ assert }) => {
    assert.deepEqual(parseRateLimit('6000/60'), { limit: 6000, windowMs: 60_000 })
    assert.deepEqual(parseRateLimit(' 100 / 0.5 '), { limit: 100, windowMs: 500 })
    assert.isNull(parseRateLimit('none'))
    assert.isNull(parseRateLimit(''))
  })

  test('a malformed limit stops the boot instead of lifting the limit', ({ assert }) => {
    for (const spec of ['6000', '0/60', '100/0', 'fast', '-5/60']) {
      assert.throws(() => parseRateLimit(spec), /is not a rate limit/)
    }
    assert.throws(() => parseDomainLimits('gmail.com'), /is not a domain rate limit/)
    assert.throws(() => parseDomainLimits('=100/60'), /is not a domain rate limit/)
  })

  test('domain limits by lower-cased domain', ({ assert }) => {
    const limits = parseDomainLimits('Gmail.com=100/2, yahoo.com=50/60,')
    assert.deepEqual([...limits.keys()], ['gmail.com', 'yahoo.com'])
    assert.deepEqual(limits.get('gmail.com'), { limit: 100, windowMs: 2000 })
    assert.equal(parseDomainLimits('none').size, 0)
  })

  test('the API limit counts whole seconds: a window that would round to 0 is refused', ({
    assert,
  }) => {
    assert.deepEqual(parseWholeSecondRateLimit('20/1'), { limit: 20, windowMs: 1000 })
    assert.isNull(parseWholeSecondRateLimit('none'))
    for (const spec of ['5/0.5', '3/1.5']) {
      assert.throws(() => parseWholeSecondRateLimit(spec), /whole number of seconds/)
    }
  })
})
