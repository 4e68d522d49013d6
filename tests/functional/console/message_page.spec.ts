import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import type ProviderConfig from '#models/provider_config'
import type User from '#models/user'
import { EgressPolicy } from '#messaging/egress/egress_policy'
import { PostalGateway } from '#messaging/vendors/postal/gateway'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { CallbackReceiver } from '#tests/helpers/callback_receiver'
import { createConsoleUser } from '#tests/helpers/console_users'
import { deliveredEmail, eraseThroughApi, temporaryArchiveDir } from '#tests/helpers/erasure'
import { FAKE_POSTAL_API_KEY, startFakePostal } from '#tests/helpers/fake_postal'
import { acceptMessage } from '#tests/helpers/messages'
import { createTenant, type TestTenant } from '#tests/helpers/tenants'
import {
  createProviderConfig,
  createSentMessage,
  markSent,
  replay,
  statusOf,
  webhookPath,
} from '#tests/helpers/webhooks'

const FROM = 'noreply@mail.switchboard.test'

const pageOf = (id: string) => `/console/messages/${id}`

function get(client: ApiClient, path: string, user: User) {
  return client.get(path).withGuard('web').loginAs(user)
}

/** A page's HTML, asserting it was served */
async function pageText(client: ApiClient, path: string, user: User) {
  const response = await get(client, path, user)
  response.assertStatus(200)
  return response.text()
}

function post(client: ApiClient, path: string, user: User) {
  return client
    .post(path)
    .withGuard('web')
    .loginAs(user)
    .withCsrfToken()
    .header('referer', path.replace(/\/(cancel|retry)$/, ''))
    .redirects(0)
}

/** The page without what the layout itself loads: what is left came from the message */
function outsideLayout(html: string) {
  return html.replace(/<script src="[^"]*" defer><\/script>/g, '')
}

test.group('Console message page: the timeline', (group) => {
  let postal: PostalFakeServer
  let receiver: CallbackReceiver
  let config: ProviderConfig
  let gateway: PostalGateway
  let sender: TestTenant
  let admin: User
  let operator: User

  group.setup(async () => {
    receiver = await new CallbackReceiver().start()
    postal = await startFakePostal({ url: receiver.url })
    sender = await createTenant('Message page')
    config = await createProviderConfig(
      GatewayType.Postal,
      Channel.Email,
      {
        baseUrl: postal.baseUrl,
        apiKey: FAKE_POSTAL_API_KEY,
        from: FROM,
        webhookPublicKey: postal.webhookPublicKey,
      },
      sender.tenant.id
    )
    gateway = new PostalGateway({
      baseUrl: postal.baseUrl,
      apiKey: FAKE_POSTAL_API_KEY,
      from: FROM,
      // The fake listens on loopback, which the operator allows here as in the sandbox
      policy: new EgressPolicy(['127.0.0.0/8']),
    })
    admin = await createConsoleUser('admin', sender.tenant.id)
    operator = await createConsoleUser('operator')
    return async () => {
      await postal.stop()
      await receiver.stop()
    }
  })

  /** An email accepted by the API, sent through the fake Postal and recorded sent; Postal's signed MessageSent for it */
  async function sentThroughPostal(client: ApiClient, recipient: string) {
    const id = await acceptMessage(client, sender.headers, {
      channel: 'email',
      recipient,
      subject: 'Your receipt',
      content: { text: 'Thanks for your order' },
    })
    const result = await gateway.send({
      channel: Channel.Email,
      messageId: id,
      tenantId: sender.tenant.id,
      messageType: 'test.message',
      to: recipient,
      subject: 'Your receipt',
      html: null,
      text: 'Thanks for your order',
      replyTo: null,
      headers: {},
      tags: { switchboard_message_id: id },
    })
    if (!result.ok) throw new Error(`the fake Postal refused the send: ${result.message}`)
    await markSent(id, {
      providerConfigId: config.id,
      gateway: 'postal',
      providerMessageId: result.providerMessageId,
    })
    const [callback] = await receiver.waitFor(
      (received) => JSON.parse(received.rawBody).payload.message?.tag === id,
      1
    )
    return { id, callback }
  }

  test('the fragment polls while the message is sent, and shows delivered with the provider response once the signed callback came', async ({
    client,
    assert,
  }) => {
    const { id, callback } = await sentThroughPostal(client, 'ada@example.com')

    const before = await get(client, `${pageOf(id)}/timeline`, admin)
    before.assertStatus(200)
    assert.include(before.text(), 'hx-trigger="every 3s"')
    assert.include(before.text(), `hx-get="${pageOf(id)}/timeline"`)
    assert.notInclude(before.text(), '>delivered<')

    const webhook = await replay(client, webhookPath('postal', config.id), {
      body: callback.rawBody,
      headers: callback.headers,
    })
    webhook.assertStatus(200)
    assert.equal(await statusOf(id), 'delivered')

    const after = await get(client, `${pageOf(id)}/timeline`, admin)
    after.assertStatus(200)
    assert.include(after.text(), '>delivered<')
    assert.include(after.text(), '<code>Sent</code>')
    assert.include(after.text(), '250 2.0.0 OK')
    assert.include(after.text(), 'postal callback')
    // Settled: the answer carries no trigger, so the page stops asking; the header's badge follows
    assert.notInclude(after.text(), 'hx-trigger')
    assert.match(
      after.text(),
      /id="message-status" hx-swap-oob="true">\s*<span class="badge badge-ok">delivered/
    )

    const page = await get(client, pageOf(id), admin)
    page.assertStatus(200)
    assert.include(page.text(), 'Email to ada@example.com')
    assert.include(page.text(), '>delivered<')
    assert.include(page.text(), '<dt>Gateway</dt><dd>postal</dd>')
    assert.notInclude(page.text(), 'hx-trigger')
  })

  test('an operator sees the raw webhook payload with its secrets masked; a tenant admin does not see it', async ({
    client,
    assert,
  }) => {
    const { id, callback } = await sentThroughPostal(client, 'grace@example.com')
    await replay(client, webhookPath('postal', config.id), {
      body: callback.rawBody,
      headers: callback.headers,
    }).then((response) => response.assertStatus(200))
    const messageToken: string = JSON.parse(callback.rawBody).payload.message.token

    const asOperator = await get(client, pageOf(id), operator)
    asOperator.assertStatus(200)
    assert.include(asOperator.text(), 'Raw webhook payload')
    assert.include(asOperator.text(), '&quot;event&quot;: &quot;MessageSent&quot;')
    assert.include(asOperator.text(), '<dt>Tenant</dt><dd>Message page</dd>')
    assert.include(asOperator.text(), '&quot;token&quot;: &quot;…')
    assert.notInclude(asOperator.text(), messageToken)

    const asAdmin = await get(client, pageOf(id), admin)
    asAdmin.assertStatus(200)
    assert.notInclude(asAdmin.text(), 'Raw webhook payload')
    assert.notInclude(asAdmin.text(), 'MessageSent')
  })

  test('a message with no event yet has an empty timeline that says what will come', async ({
    client,
    assert,
  }) => {
    const id = await acceptMessage(client, sender.headers, {
      channel: 'sms',
      recipient: '+14155550101',
      content: { text: 'Your code is 123456' },
    })
    // As an archive run leaves an old message: the row without its events
    await db.transaction(async (trx) => {
      await trx.rawQuery(`SET LOCAL switchboard.archiving = 'on'`)
      await trx.from('delivery_events').where('message_id', id).delete()
    })

    const page = await get(client, pageOf(id), admin)
    page.assertStatus(200)
    assert.include(page.text(), 'No events yet')
    assert.include(page.text(), 'Your code is 123456')
  })
})

test.group('Console message page: content, scope and actions', (group) => {
  let sender: TestTenant
  let admin: User
  let viewer: User
  let strangerAdmin: User

  group.setup(async () => {
    sender = await createTenant('Message actions')
    const stranger = await createTenant('Another tenant')
    admin = await createConsoleUser('admin', sender.tenant.id)
    viewer = await createConsoleUser('viewer', sender.tenant.id)
    strangerAdmin = await createConsoleUser('admin', stranger.tenant.id)
  })

  function accept(client: ApiClient, body: Record<string, unknown> = {}) {
    return acceptMessage(client, sender.headers, {
      channel: 'email',
      recipient: 'lin@example.com',
      subject: 'Hello',
      content: { text: 'Hello there' },
      ...body,
    })
  }

  test('an HTML email is shown in a sandboxed iframe, escaped; nothing of it reaches the page unescaped', async ({
    client,
    assert,
  }) => {
    const id = await accept(client, {
      subject: 'Offer <img src=x onerror=alert(1)>',
      content: {
        html: '<h1>Sale</h1><script>alert("pwned")</script><a href="x" onclick="steal()">go</a>',
        text: 'Sale',
      },
    })

    const page = await get(client, pageOf(id), viewer)
    page.assertStatus(200)
    const html = page.text()
    const iframe = html.match(/<iframe class="preview"[^>]*>/)?.[0]
    assert.exists(iframe)
    assert.match(iframe!, /\ssandbox\s/)
    assert.notMatch(iframe!, /allow-/)
    assert.include(
      iframe!,
      'srcdoc="&lt;h1&gt;Sale&lt;/h1&gt;&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;'
    )
    const body = outsideLayout(html)
    assert.notInclude(body, '<script')
    assert.notInclude(body, '<img src=x')
    assert.notInclude(body, 'onclick="steal()"')
    assert.include(html, 'Offer &lt;img src=x onerror=alert(1)&gt;')
    // A viewer changes nothing: no buttons
    assert.notInclude(html, 'Cancel message')
  })

  test('cancel stops a scheduled message; a sent one is refused with a notice', async ({
    client,
    assert,
  }) => {
    const scheduled = await accept(client, {
      scheduledAt: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
    })
    const page = await get(client, pageOf(scheduled), admin)
    assert.include(page.text(), 'Cancel message')
    assert.include(page.text(), 'data-confirm=')

    const canceled = await post(client, `${pageOf(scheduled)}/cancel`, admin)
    canceled.assertStatus(302)
    canceled.assertHeader('location', pageOf(scheduled))
    canceled.assertFlashMessage('notice', {
      kind: 'success',
      text: 'Message canceled: it will not be sent.',
    })
    assert.equal(await statusOf(scheduled), 'canceled')

    const account = await emailConfig(sender)
    const sent = await createSentMessage(
      client,
      sender.headers,
      { channel: 'email', recipient: 'sent@example.com', subject: 'Sent', content: { text: 'x' } },
      { providerConfigId: account.id, gateway: 'postal' }
    )
    const refused = await post(client, `${pageOf(sent)}/cancel`, admin)
    refused.assertStatus(302)
    refused.assertHeader('location', pageOf(sent))
    assert.equal(refused.flashMessage('notice.kind'), 'error')
    assert.include(refused.flashMessage('notice.text'), 'can no longer be canceled')
    assert.equal(await statusOf(sent), 'sent')
    assert.notInclude(await pageText(client, pageOf(sent), admin), 'Cancel message')
  })

  test('retry sends a failed message again as a new linked message, once', async ({
    client,
    assert,
  }) => {
    const original = await accept(client, { recipient: 'retry@example.com' })
    await db
      .from('messages')
      .where('id', original)
      .update({ status: 'failed', failed_at: new Date(), last_error: 'mailbox unavailable' })
    assert.include(await pageText(client, pageOf(original), admin), '>Retry</button>')

    const retried = await post(client, `${pageOf(original)}/retry`, admin)
    retried.assertStatus(302)
    assert.equal(retried.flashMessage('notice.kind'), 'success')
    const copy = await db.from('messages').where('parent_message_id', original).firstOrFail()
    assert.equal(copy.status, 'queued')
    assert.equal(copy.recipient, 'retry@example.com')

    const originalPage = await pageText(client, pageOf(original), admin)
    assert.include(originalPage, 'Retried as')
    assert.include(originalPage, `href="${pageOf(copy.id)}"`)
    assert.notInclude(originalPage, '>Retry</button>')
    const copyPage = await pageText(client, pageOf(copy.id), admin)
    assert.include(copyPage, 'Retry of')
    assert.include(copyPage, `href="${pageOf(original)}"`)

    const again = await post(client, `${pageOf(original)}/retry`, admin)
    assert.equal(again.flashMessage('notice.kind'), 'info')
    assert.lengthOf(await db.from('messages').where('parent_message_id', original), 1)

    const notFailed = await post(client, `${pageOf(copy.id)}/retry`, admin)
    notFailed.assertStatus(302)
    assert.equal(notFailed.flashMessage('notice.kind'), 'error')
    assert.include(notFailed.flashMessage('notice.text'), 'Only a failed message can be retried')
  })

  test('a viewer may look but not cancel or retry: 403', async ({ client, assert }) => {
    const id = await accept(client, {
      scheduledAt: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
    })
    for (const action of ['cancel', 'retry']) {
      const response = await post(client, `${pageOf(id)}/${action}`, viewer)
      response.assertStatus(403)
    }
    assert.equal(await statusOf(id), 'scheduled')
  })

  test("another tenant's admin gets 404 for the page, the fragment, cancel and retry", async ({
    client,
    assert,
  }) => {
    const id = await accept(client, {
      scheduledAt: new Date(Date.now() + 60 * 60 * 1000).toISOString(),
    })
    for (const path of [pageOf(id), `${pageOf(id)}/timeline`]) {
      const response = await get(client, path, strangerAdmin)
      response.assertStatus(404)
      assert.notInclude(response.text(), 'lin@example.com')
    }
    for (const action of ['cancel', 'retry']) {
      const response = await post(client, `${pageOf(id)}/${action}`, strangerAdmin)
      response.assertStatus(404)
    }
    assert.equal(await statusOf(id), 'scheduled')
    // An id no message has answers the same
    const unknown = await get(client, pageOf('00000000-0000-4000-8000-000000000000'), admin)
    unknown.assertStatus(404)
  })

  test("an erased recipient's message keeps its status and events, without its content", async ({
    client,
    assert,
  }) => {
    const archive = await temporaryArchiveDir()
    try {
      const { id } = await deliveredEmail(sender.tenant.id, 'erase-me@example.com', 'Secret body')
      await eraseThroughApi(client, sender.headers, 'erase-me@example.com').then((response) =>
        response.assertStatus(200)
      )

      const page = await get(client, pageOf(id), admin)
      page.assertStatus(200)
      assert.include(page.text(), 'data was erased on request')
      assert.include(page.text(), '>delivered<')
      assert.include(page.text(), 'Details erased')
      assert.notInclude(page.text(), 'Secret body')
      assert.notInclude(page.text(), 'erase-me@example.com')
    } finally {
      archive.restore()
    }
  })
})

/** An email provider account of the tenant's, for a message recorded sent through it */
function emailConfig(sender: TestTenant) {
  return createProviderConfig(
    GatewayType.Postal,
    Channel.Email,
    { baseUrl: 'https://postal.example.com', apiKey: 'k', from: FROM },
    sender.tenant.id
  )
}
