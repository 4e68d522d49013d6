import { setTimeout as sleep } from 'node:timers/promises'
import { test } from '@japa/runner'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { verifyWebhookSignature } from '#messaging/signing/webhook_signature'
import {
  CredentialsCipher,
  credentialsKeyId,
  generateCredentialsKey,
} from '#messaging/accounts/credentials_cipher'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import { CallbackReceiver } from '#tests/helpers/callback_receiver'
import { storedValuesOpenedBy, testCredentialsKey } from '#tests/helpers/credentials'
import { createPostalTenant, startFakePostal } from '#tests/helpers/fake_postal'
import { runAce } from '#tests/helpers/ace_process'
import {
  registerEndpoint,
  reportDelivered,
  tenantWebhookQueue,
} from '#tests/helpers/tenant_webhooks'
import { waitUntil } from '#tests/helpers/wait'
import { WorkerProcess } from '#tests/helpers/worker_process'

/** `node ace credentials:rotate-key` as an operator runs it, under this key ring */
async function rotateKey(current: string, previous: string) {
  const { exitCode, output } = await runAce(
    ['credentials:rotate-key', '--json', '--batch-size=1'],
    {
      env: { CREDENTIALS_KEY: current, CREDENTIALS_PREVIOUS_KEYS: previous },
    }
  )
  if (exitCode !== 0) throw new Error(`credentials:rotate-key exited with ${exitCode}:\n${output}`)
  return JSON.parse(output.trim().split('\n').at(-1)!)
}

async function statuses(ids: string[]) {
  const rows = await db.from('messages').whereIn('id', ids).select('status')
  return rows.map((row) => row.status as string)
}

/**
 * Acceptance 4 of issue 16. The processes are at step 3 of the rotation: their
 * CREDENTIALS_KEY is the new key and the old one (this test process's own, which
 * sealed every stored value) is in CREDENTIALS_PREVIOUS_KEYS.
 */
test.group('credentials:rotate-key under live traffic', (group) => {
  const oldKey = testCredentialsKey()
  const newKey = generateCredentialsKey()
  const ring = { CREDENTIALS_KEY: newKey, CREDENTIALS_PREVIOUS_KEYS: oldKey }
  let postal: PostalFakeServer
  let receiver: CallbackReceiver
  let workers: WorkerProcess[]

  group.setup(async () => {
    await tenantWebhookQueue().obliterate({ force: true })
    postal = await startFakePostal()
    receiver = await new CallbackReceiver().start()
    workers = await Promise.all([
      WorkerProcess.start('P4', ring),
      WorkerProcess.startTenantWebhooks(ring),
    ])
    return async () => {
      await Promise.all(workers.map((worker) => worker.stop()))
      await Promise.all([postal.stop(), receiver.stop()])
      // Back under this process's key, for the tests that run after this file
      await rotateKey(oldKey, newKey)
    }
  })

  test('no send fails, and afterwards the old key opens nothing', async ({ client, assert }) => {
    const tenants = [
      await createPostalTenant(client, postal),
      await createPostalTenant(client, postal),
    ]
    const endpoint = await registerEndpoint(client, tenants[0].headers, {
      url: receiver.url,
      eventTypes: ['message.delivered'],
    })
    const sent: string[] = []
    const delivered = new Set<string>()

    async function sendOne(index: number, api: ApiClient) {
      const tenant = tenants[index % tenants.length]
      const response = await api
        .post('/api/v1/messages')
        .headers(tenant.headers)
        .json({
          channel: 'email',
          recipient: `rotation-${index}@r${index % 50}.example.com`,
          subject: 'During a key rotation',
          content: { text: 'Hello' },
        })
      response.assertStatus(201)
      sent.push(response.body().id)
    }

    /** The first tenant's sent messages are reported delivered: each one a signed webhook (and status delivered) */
    async function reportSent() {
      const rows = await db
        .from('messages')
        .whereIn('id', sent)
        .where('tenant_id', tenants[0].tenant.id)
        .where('status', 'sent')
        .select('id')
      for (const { id } of rows.filter((row) => !delivered.has(row.id))) {
        delivered.add(id)
        await reportDelivered(id, tenants[0].tenant.id)
      }
    }

    let rotating = true
    const rotation = rotateKey(newKey, oldKey).finally(() => (rotating = false))
    let index = 0
    while (rotating) {
      await sendOne(index++, client)
      await reportSent()
      await sleep(20)
    }
    const report = await rotation
    // And after it, with nothing left under the old key
    for (let after = 0; after < 5; after++) await sendOne(index++, client)

    await waitUntil(
      'every message to be sent',
      async () => {
        const now = await statuses(sent)
        return now.every((status) => status === 'sent' || status === 'delivered')
      },
      { timeoutMs: 30_000 }
    )
    await reportSent()
    await receiver.waitFor(() => true, delivered.size, 15_000)

    assert.isAbove(sent.length, 5)
    assert.notInclude(await statuses(sent), 'failed')
    assert.lengthOf(
      postal.received.filter((request) => request.path.includes('/send/')),
      sent.length
    )
    assert.isTrue(receiver.received.every((callback) => isSignedWith(endpoint.secret, callback)))

    assert.equal(report.currentKeyId, credentialsKeyId(newKey))
    assert.isAtLeast(report.fromKeys[credentialsKeyId(oldKey)], 3)
    assert.deepEqual(report.unreadable, [])
    assert.deepEqual(report.removableKeyIds, [credentialsKeyId(oldKey)])

    const underOld = await storedValuesOpenedBy(new CredentialsCipher(oldKey))
    const underNew = await storedValuesOpenedBy(new CredentialsCipher(newKey))
    assert.equal(underOld.opened, 0)
    assert.equal(underNew.opened, underNew.total)

    const again = await rotateKey(newKey, oldKey)
    assert.equal(again.rotated, 0)
    assert.equal(again.alreadyCurrent, underNew.total)
  }).timeout(120_000)
})

function isSignedWith(secret: string, callback: CallbackReceiver['received'][number]) {
  return verifyWebhookSignature({
    secret,
    signature: callback.headers['x-switchboard-signature'] as string | undefined,
    timestamp: callback.headers['x-switchboard-timestamp'] as string | undefined,
    rawBody: callback.rawBody,
  })
}
