import { test } from '@japa/runner'
import { parseEgressAllow } from '#messaging/egress/egress_allow'

test.group('EGRESS_ALLOW parsing', () => {
  test('empty or unset allows nothing', ({ assert }) => {
    assert.deepEqual(parseEgressAllow(''), [])
    assert.deepEqual(parseEgressAllow(' , '), [])
  })

  test('a comma-separated list of IPv4 and IPv6 CIDRs', ({ assert }) => {
    assert.deepEqual(parseEgressAllow(' 127.0.0.0/8 , ::1/128,10.20.0.0/16 '), [
      '127.0.0.0/8',
      '::1/128',
      '10.20.0.0/16',
    ])
  })

  test('"{$self}" stops the start-up with a clear error')
    .with(['127.0.0.1', '10.0.0.0/33', '0177.0.0.0/8', 'localhost/8', '::1/129', '10.0.0.0/8;'])
    .run(({ assert }, entry) => {
      assert.throws(
        () => parseEgressAllow(`127.0.0.0/8,${entry}`),
        `EGRESS_ALLOW: "${entry}" is not a CIDR range (e.g. 10.0.0.0/8 or ::1/128)`
      )
    })
})
