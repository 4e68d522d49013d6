import { test } from '@japa/runner'
import { createTenant } from '#tests/helpers/tenants'

const sms = { channel: 'sms', recipient: '+14155550100', content: { text: 'hello' } }

test.group("messageType console.* is the console's own", () => {
  test('a single send with it is a 422 on messageType', async ({ client, assert }) => {
    const { headers } = await createTenant()
    const response = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ ...sms, messageType: 'console.password_reset' })

    response.assertStatus(422)
    assert.equal(response.body().errors[0].field, 'messageType')
    assert.include(response.body().errors[0].message, 'reserved')
  })

  test('so is a bulk send', async ({ client }) => {
    const { headers } = await createTenant()
    const response = await client
      .post('/api/v1/messages/bulk')
      .headers(headers)
      .json({
        channel: 'sms',
        messageType: 'console.x',
        content: { text: 'hi' },
        recipients: [{ recipient: '+14155550100' }],
      })

    response.assertStatus(422)
  })

  test('a type that merely contains it is fine', async ({ client }) => {
    const { headers } = await createTenant()
    const response = await client
      .post('/api/v1/messages')
      .headers(headers)
      .json({ ...sms, messageType: 'billing.console.notice' })

    response.assertStatus(201)
  })
})
