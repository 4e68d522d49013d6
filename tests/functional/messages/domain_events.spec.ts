import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import emitter from '@adonisjs/core/services/emitter'
import { MessageDispatcher } from '#messaging/delivery/message_dispatcher'
import { createTenant } from '#tests/helpers/tenants'

const sms = { channel: 'sms', priority: 'P1', recipient: '+14155550100', content: { text: 'hi' } }

test.group('The pipeline announces a message’s life on the emitter', () => {
  test('message:queued on accept, message:sent when a gateway takes it', async ({
    client,
    assert,
    cleanup,
  }) => {
    const events = emitter.fake(['message:queued', 'message:sent'])
    cleanup(() => emitter.restore())
    const { headers, tenant } = await createTenant()

    const created = await client.post('/api/v1/messages').headers(headers).json(sms)
    const id = created.body().id
    const dispatcher = await app.container.make(MessageDispatcher)
    const outcome = await dispatcher.dispatch(id)

    assert.equal(outcome.kind, 'sent')
    const queued = events.find('message:queued')
    assert.deepInclude(queued?.data, { messageId: id, tenantId: tenant.id, priority: 'P1' })
    const sent = events.find('message:sent')
    assert.equal(sent?.data.messageId, id)
    assert.equal(sent?.data.gateway, 'log')
  })

  test('message:failed when the pipeline gives a message up', async ({
    client,
    assert,
    cleanup,
  }) => {
    const events = emitter.fake(['message:failed'])
    cleanup(() => emitter.restore())
    const { headers, tenant } = await createTenant()
    const created = await client.post('/api/v1/messages').headers(headers).json(sms)
    const id = created.body().id

    const dispatcher = await app.container.make(MessageDispatcher)
    await dispatcher.giveUp(id, new Error('the worker crashed three times'))

    const failed = events.find('message:failed')
    assert.deepInclude(failed?.data, {
      messageId: id,
      tenantId: tenant.id,
      reason: 'the worker crashed three times',
      code: 'WORKER_ERROR',
    })
  })
})
