import { test } from '@japa/runner'
import { smsEncoding } from '#messaging/channels/sms_encoding'

test.group('SMS encoding and segments', () => {
  test('{name}')
    .with([
      {
        name: 'plain GSM-7 fits one segment',
        body: 'a'.repeat(160),
        encoding: 'GSM-7',
        segments: 1,
      },
      {
        name: 'GSM-7 over 160 splits by 153',
        body: 'a'.repeat(161),
        encoding: 'GSM-7',
        segments: 2,
      },
      {
        name: 'extension chars cost two septets',
        body: '€'.repeat(80),
        encoding: 'GSM-7',
        segments: 1,
      },
      {
        name: 'one more extension char overflows',
        body: '€'.repeat(81),
        encoding: 'GSM-7',
        segments: 2,
      },
      { name: 'an emoji forces UCS-2', body: 'Hi 👋', encoding: 'UCS-2', segments: 1 },
      { name: 'UCS-2 over 70 splits by 67', body: 'ж'.repeat(71), encoding: 'UCS-2', segments: 2 },
      { name: 'empty body', body: '', encoding: 'GSM-7', segments: 0 },
    ])
    .run(({ assert }, { body, encoding, segments }) => {
      const result = smsEncoding(body)
      assert.equal(result.encoding, encoding)
      assert.equal(result.segments, segments)
    })
})
