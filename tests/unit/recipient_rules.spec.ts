import { test } from '@japa/runner'
import { Channel } from '#enums/channel'
import { checkRecipient } from '#messaging/recipients/recipient_rules'

test.group('Recipients per channel', () => {
  test('emails are lower-cased and give their domain', ({ assert }) => {
    assert.deepEqual(checkRecipient(Channel.Email, '  Ada@GMail.com '), {
      valid: true,
      address: 'ada@gmail.com',
      domain: 'gmail.com',
    })
  })

  test('phone numbers are normalised to E.164', ({ assert }) => {
    assert.deepEqual(checkRecipient(Channel.Sms, '+1 (415) 555-0100'), {
      valid: true,
      address: '+14155550100',
      domain: null,
    })
  })

  test('{channel} rejects {recipient}')
    .with([
      { channel: Channel.Email, recipient: 'ada@' },
      { channel: Channel.Email, recipient: `${'a'.repeat(250)}@x.com` },
      { channel: Channel.Sms, recipient: '0612345678' },
      { channel: Channel.Sms, recipient: '+0123456789' },
      { channel: Channel.Push, recipient: 'short' },
      { channel: Channel.Webhook, recipient: 'http://plain.example.com/hook' },
      { channel: Channel.Webhook, recipient: 'not a url' },
    ])
    .run(({ assert }, { channel, recipient }) => {
      const check = checkRecipient(channel, recipient)
      assert.isFalse(check.valid)
    })
})
