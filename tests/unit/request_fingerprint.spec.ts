import { test } from '@japa/runner'
import { requestFingerprint } from '#messaging/idempotency/request_fingerprint'

test.group('Request fingerprint', () => {
  test('ignores key order at every depth and undefined fields', ({ assert }) => {
    const a = requestFingerprint({ channel: 'sms', content: { text: 'x', data: { b: 1, a: 2 } } })
    const b = requestFingerprint({
      content: { data: { a: 2, b: 1 }, text: 'x' },
      channel: 'sms',
      extra: undefined,
    })
    assert.equal(a, b)
  })

  test('differs when a value or an array order differs', ({ assert }) => {
    const base = requestFingerprint({ list: [1, 2], text: 'x' })
    assert.notEqual(base, requestFingerprint({ list: [2, 1], text: 'x' }))
    assert.notEqual(base, requestFingerprint({ list: [1, 2], text: 'y' }))
  })

  test('dates hash as their ISO form', ({ assert }) => {
    const at = '2026-01-01T00:00:00.000Z'
    assert.equal(requestFingerprint({ at: new Date(at) }), requestFingerprint({ at }))
  })
})
