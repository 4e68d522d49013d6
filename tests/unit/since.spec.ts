import { test } from '@japa/runner'
import { parseSince } from '#commands/_since'

const now = new Date('2024-05-02T12:00:00Z')

test.group('--since (parseSince)', () => {
  test('{value} → {expected}')
    .with([
      { value: '30m', expected: '2024-05-02T11:30:00.000Z' },
      { value: '24h', expected: '2024-05-01T12:00:00.000Z' },
      { value: '7d', expected: '2024-04-25T12:00:00.000Z' },
      { value: '1w', expected: '2024-04-25T12:00:00.000Z' },
      { value: '90s', expected: '2024-05-02T11:58:30.000Z' },
      { value: ' 2H ', expected: '2024-05-02T10:00:00.000Z' },
      { value: '2024-05-01T08:00:00Z', expected: '2024-05-01T08:00:00.000Z' },
      { value: '2024-05-01T10:00:00+02:00', expected: '2024-05-01T08:00:00.000Z' },
    ])
    .run(({ assert }, { value, expected }) => {
      assert.equal(parseSince(value, now).toISOString(), expected)
    })

  test('anything else is refused: {value}')
    .with([{ value: 'yesterday' }, { value: '-5m' }, { value: '5 minutes' }, { value: '' }])
    .run(({ assert }, { value }) => {
      assert.throws(() => parseSince(value, now), /--since takes an ISO 8601 date-time or a span/)
    })
})
