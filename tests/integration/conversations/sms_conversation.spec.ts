import { randomBytes } from 'node:crypto'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import ProviderConfig from '#models/provider_config'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { maskFor } from '#messaging/accounts/provider_types'
import { TwilioFakeServer } from '#messaging/vendors/twilio/fake'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import { postTwilioInbound, unsubscribeOf } from '#tests/helpers/inbound'
import { emptyQueues } from '#tests/helpers/queues'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

const ACCOUNT_SID = `AC${'5e1f'.repeat(8)}`
const AUTH_TOKEN = 'conversation-integration-token'
const OUR_NUMBER = '+15005550006'
const CUSTOMER = '+14155550301'

/**
 * Acceptance 5: an inbound SMS opens a conversation, the reply goes out
 * through a real P4 worker to the fake Twilio, and an inbound STOP then
 * suppresses SMS to that number.
 */
test.group('SMS conversation: inbound → reply via Twilio → STOP', (group) => {
  let fake: TwilioFakeServer
  let worker: WorkerProcess
  let owner: TestTenant
  let config: ProviderConfig

  group.setup(async () => {
    await emptyQueues()
    fake = await new TwilioFakeServer({ accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN }).start()
    owner = await createTenant('SMS conversation')
    const credentials = {
      accountSid: ACCOUNT_SID,
      authToken: AUTH_TOKEN,
      from: OUR_NUMBER,
      baseUrl: fake.baseUrl,
    }
    const accounts = await app.container.make(ProviderAccounts)
    config = await ProviderConfig.create({
      ...accounts.sealNew(owner.tenant.id, credentials),
      type: GatewayType.Twilio,
      channel: Channel.Sms,
      name: 'Twilio (fake)',
      priority: 0,
      enabled: true,
      mask: maskFor(GatewayType.Twilio, credentials),
      metadata: {},
    })
    worker = await WorkerProcess.start('P4')
    return async () => {
      await worker.stop()
      await fake.stop()
      await config.delete()
    }
  })

  async function receive(client: ApiClient, body: string) {
    const response = await postTwilioInbound(client, config.id, AUTH_TOKEN, {
      MessageSid: `SM${randomBytes(16).toString('hex')}`,
      AccountSid: ACCOUNT_SID,
      From: CUSTOMER,
      To: OUR_NUMBER,
      Body: body,
      NumMedia: '0',
    })
    response.assertStatus(200)
  }

  async function reply(client: ApiClient, conversationId: string, text: string) {
    const response = await client
      .post(`/api/v1/conversations/${conversationId}/reply`)
      .headers(owner.headers)
      .json({ content: { text } })
    response.assertStatus(201)
    return response.body() as { id: string; status: string }
  }

  test('the reply is sent through Twilio, and STOP suppresses the next one', async ({
    client,
    assert,
  }) => {
    await receive(client, 'Can I change my delivery slot?')
    const listed = await client.get('/api/v1/conversations').headers(owner.headers)
    const [conversation] = listed.body().data
    assert.equal(conversation.contact.address, CUSTOMER)

    const answer = await reply(client, conversation.id, 'Yes: reply with a time.')
    await waitUntil('the reply to be sent', async () => {
      const row = await db.from('messages').where('id', answer.id).first()
      return row?.status === 'sent'
    })
    assert.equal(fake.sendsByMessageId.get(answer.id), 1)
    const sent = await db.from('messages').where('id', answer.id).firstOrFail()
    assert.include(sent, { conversation_id: conversation.id, provider_config_id: config.id })

    await receive(client, 'STOP')
    assert.exists(await unsubscribeOf(owner.tenant.id, 'sms', CUSTOMER))
    const refused = await reply(client, conversation.id, 'One more thing…')
    assert.equal(refused.status, 'suppressed')

    const shown = await client
      .get(`/api/v1/conversations/${conversation.id}`)
      .headers(owner.headers)
    assert.deepEqual(
      shown
        .body()
        .messages.map((message: { direction: string; status: string }) => [
          message.direction,
          message.status,
        ]),
      [
        ['inbound', 'delivered'],
        ['outbound', 'sent'],
        ['inbound', 'delivered'],
        ['outbound', 'suppressed'],
      ]
    )
    assert.isUndefined(fake.sendsByMessageId.get(refused.id))
  })
})
