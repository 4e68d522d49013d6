import { execFile } from 'node:child_process'
import { createPrivateKey, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto'
import { copyFile, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { test } from '@japa/runner'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import twilio from 'twilio'
import env from '#start/env'
import { FAKE_FCM_ACCESS_TOKEN } from '#messaging/vendors/fcm/gateway'
import { TWILIO_CALLBACK_MESSAGE_ID_PARAM } from '#messaging/vendors/twilio/gateway'
import {
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
} from '#messaging/signing/webhook_signature'
import { SnsNotificationSigner } from '#messaging/vendors/ses/fake_sns_signer'
import { sandboxCredentials } from '#sandbox/sandbox_credentials'
import { ApiProcess } from '#tests/helpers/api_process'
import { runAce } from '#tests/helpers/ace_process'
import { startSandbox } from '#tests/helpers/sandbox'
import { createTenant } from '#tests/helpers/tenants'
import { createProviderConfig, markSent, webhookPath } from '#tests/helpers/webhooks'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'

const ROOT = fileURLToPath(app.appRoot)
const run = promisify(execFile)

/** What the sandbox held as constants before its keys came from SANDBOX_SECRET */
const FORMERLY_SHIPPED = [
  'sandbox-postal-api-key',
  'sandbox-ses-secret',
  'sandbox-twilio-auth-token',
  'sandbox-push-report-secret',
]

/** Where key material of the sandbox or of the fixtures tests run with could sit in the source */
const SOURCES = [
  'app/sandbox',
  'app/messaging/vendors/fakes',
  'app/messaging/vendors/postal/fake.ts',
  'app/messaging/vendors/ses/fake.ts',
  'app/messaging/vendors/ses/fake_sns_signer.ts',
  'app/messaging/vendors/twilio/fake.ts',
  'app/messaging/vendors/fcm/fake.ts',
  'commands/sandbox.ts',
  'tests/helpers',
  'bench',
]
const ENV_FILES = ['.env.example', '.env.test', '.env.faults', '.env.bench']

async function filesUnder(path: string): Promise<string[]> {
  const full = join(ROOT, path)
  if (!path.endsWith('/') && /\.\w+$/.test(path)) return [full]
  const entries = await readdir(full, { withFileTypes: true, recursive: true })
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name))
}

/**
 * Every string the source ships that could be a shared secret (each literal
 * of 8 characters or more in the sandbox and the vendors' fakes, its command,
 * the test helpers and the bench, every value in the env files) and every PEM
 * private key in them.
 */
async function secretsInTheSource() {
  const strings = new Set([...FORMERLY_SHIPPED, FAKE_FCM_ACCESS_TOKEN])
  const privateKeys: string[] = []
  const listed = await Promise.all(SOURCES.map(filesUnder))
  const files = listed.flat()
  for (const file of files) {
    const text = await readFile(file, 'utf8')
    for (const match of text.matchAll(/'([^'\\\n]{8,})'|"([^"\\\n]{8,})"|`([^`$\\\n]{8,})`/g)) {
      strings.add(match[1] ?? match[2] ?? match[3])
    }
    for (const pem of text.matchAll(
      /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA )?PRIVATE KEY-----/g
    )) {
      privateKeys.push(pem[0])
    }
  }
  for (const file of ENV_FILES) {
    const text = await readFile(join(ROOT, file), 'utf8')
    for (const match of text.matchAll(/^[A-Z0-9_]+=(.{8,})$/gm)) strings.add(match[1].trim())
  }
  return { strings: [...strings], privateKeys, files: files.map((file) => relative(ROOT, file)) }
}

test.group('Secrets that ship in the source sign nothing a production run accepts', (group) => {
  let api: ApiProcess
  const publicUrl = 'https://switchboard.example.test'
  const configs: Record<'postal' | 'ses' | 'twilio' | 'fcm', string> = {
    postal: '',
    ses: '',
    twilio: '',
    fcm: '',
  }
  const victims: Array<{ id: string; channel: string; providerMessageId: string }> = []
  const victimsOn = (channel: string) => victims.filter((victim) => victim.channel === channel)

  group.setup(async () => {
    // The sandbox's system accounts, as a development run leaves them in the database
    const { sandbox } = await startSandbox()
    await sandbox.stop()
    for (const row of await db
      .from('provider_configs')
      .whereNull('tenant_id')
      .select('id', 'type')) {
      configs[row.type as keyof typeof configs] = row.id
    }
    // Messages of two tenants: one sent through the sandbox's accounts, one through its own
    const owner = await createTenant('Sends through the sandbox')
    const other = await createTenant('Sends through its own account')
    const own = await createProviderConfig(
      GatewayType.Twilio,
      Channel.Sms,
      { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken: randomUUID(), from: '+1' },
      other.tenant.id
    )
    const channels = [
      ['sms', '+14155550100', 'twilio'],
      ['email', 'ada@example.com', 'postal'],
      ['push', `device-${'z'.repeat(40)}`, 'fcm'],
    ] as const
    for (const [channel, recipient, type] of channels) {
      for (const [tenant, providerConfigId] of [
        [owner, configs[type]],
        [other, channel === 'sms' ? own.id : configs[type]],
      ] as const) {
        const id = randomUUID()
        const providerMessageId = `${type}-${randomUUID()}`
        await db.table('messages').insert({
          id,
          tenant_id: tenant.tenant.id,
          channel,
          priority: 'P1',
          message_type: 'transactional',
          recipient,
          subject: 'Hi',
          content: JSON.stringify({ text: 'Hello' }),
          status: 'queued',
        })
        await markSent(id, { providerConfigId, gateway: type, providerMessageId })
        victims.push({ id, channel, providerMessageId })
      }
    }

    api = await ApiProcess.start({
      NODE_ENV: 'production',
      APP_URL: publicUrl,
      DB_DATABASE: env.get('DB_DATABASE'),
      REDIS_DB: String(env.get('REDIS_DB')),
      QUEUE_PREFIX: env.get('QUEUE_PREFIX'),
    })
    return async () => {
      await api.stop()
    }
  })

  function post(path: string, body: string, headers: Record<string, string>) {
    return fetch(`${api.url}${path}`, { method: 'POST', headers, body }).then(async (reply) => ({
      path,
      status: reply.status,
      body: (await reply.json()) as { errors?: Array<{ code: string; message: string }> },
    }))
  }

  /** Forged Twilio callbacks and push reports about the victims, signed with `secret` */
  function signedWith(secret: string) {
    const statusCallbacks = victimsOn('sms').map((victim) => {
      const path = `${webhookPath('twilio', configs.twilio)}?${TWILIO_CALLBACK_MESSAGE_ID_PARAM}=${victim.id}`
      const fields = {
        MessageSid: victim.providerMessageId,
        MessageStatus: 'undelivered',
        ErrorCode: '30005',
        To: '+14155550100',
      }
      return post(path, new URLSearchParams(fields).toString(), {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilio.getExpectedTwilioSignature(
          secret,
          `${publicUrl}${path}`,
          fields
        ),
      })
    })
    const pushReports = victimsOn('push').map((victim) => {
      const report = JSON.stringify({ messageId: victim.id, event: 'delivered', reportId: secret })
      const timestamp = Math.floor(Date.now() / 1000)
      return post(webhookPath('firebase', configs.fcm), report, {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signWebhook(secret, timestamp, report),
        [TIMESTAMP_HEADER]: String(timestamp),
      })
    })
    return [...statusCallbacks, ...pushReports]
  }

  /** A Postal bounce about each victim signed with an RSA key, and an SNS one with a certificate */
  function signedWithKey(privateKey: ReturnType<typeof createPrivateKey>) {
    const sns = new SnsNotificationSigner('arn:aws:sns:us-east-1:123456789012:forged', 'us-east-1')
    return victimsOn('email').flatMap((victim) => {
      const body = JSON.stringify({
        event: 'MessageBounced',
        timestamp: Date.now() / 1000,
        uuid: randomUUID(),
        payload: {
          original_message: { id: 1, message_id: victim.providerMessageId, tag: victim.id },
          bounce: {},
        },
      })
      const notification = sns.notification(
        JSON.stringify({
          eventType: 'Bounce',
          mail: { messageId: victim.providerMessageId, destination: ['ada@example.com'] },
          bounce: {
            bounceType: 'Permanent',
            bouncedRecipients: [{ emailAddress: 'ada@example.com' }],
          },
        })
      )
      return [
        post(webhookPath('postal', configs.postal), body, {
          'content-type': 'application/json',
          'x-postal-signature-256': sign('sha256', Buffer.from(body), privateKey).toString(
            'base64'
          ),
        }),
        post(webhookPath('ses', configs.ses), notification.body, notification.headers),
      ]
    })
  }

  test('a forged Postal, SES, Twilio or FCM callback is refused and writes nothing', async ({
    assert,
  }) => {
    const { strings, privateKeys, files } = await secretsInTheSource()
    assert.isAbove(files.length, 10, 'the source was read')
    assert.includeMembers(strings, FORMERLY_SHIPPED)
    const events = async () => {
      const [row] = await db.from('delivery_events').count('* as n')
      return Number(row.n)
    }
    const eventsBefore = await events()

    const replies = []
    for (const secret of strings) replies.push(...(await Promise.all(signedWith(secret))))
    const keys = [
      ...privateKeys.map((pem) => createPrivateKey(pem)),
      // A key of nobody's: the Postal key the sandbox uses is made at its start
      generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
    ]
    for (const key of keys) replies.push(...(await Promise.all(signedWithKey(key))))

    const accepted = replies.filter((reply) => ![401, 403, 404].includes(reply.status))
    assert.deepEqual(accepted, [], 'every forged callback is refused')
    for (const reply of replies) {
      assert.isString(reply.body.errors?.[0]?.code)
      assert.isString(reply.body.errors?.[0]?.message)
    }
    assert.equal(await events(), eventsBefore, 'no delivery event written')
    const statuses = await db
      .from('messages')
      .whereIn(
        'id',
        victims.map((victim) => victim.id)
      )
      .select('status')
    assert.deepEqual(
      statuses.map((row) => row.status),
      victims.map(() => 'sent')
    )
    const suppressions = await db.from('suppressions').count('* as n')
    assert.equal(Number(suppressions[0].n), 0)
  }).timeout(120_000)
})

test.group('The sandbox and its secret', () => {
  test('node ace sandbox refuses to run with NODE_ENV=production', async ({ assert }) => {
    const { exitCode, output } = await runAce(['sandbox', '--port-base=0'], {
      env: {
        NODE_ENV: 'production',
        DB_DATABASE: env.get('DB_DATABASE'),
        REDIS_DB: String(env.get('REDIS_DB')),
        QUEUE_PREFIX: env.get('QUEUE_PREFIX'),
      },
      // A sandbox that did start would run until killed
      timeoutMs: 30_000,
    })

    assert.equal(exitCode, 1)
    assert.include(output, 'The sandbox does not run with NODE_ENV=production')
    const sandboxConfigs = await db
      .from('provider_configs')
      .whereRaw(`metadata @> '{"sandbox": true}'`)
      .where('enabled', true)
    assert.lengthOf(sandboxConfigs, 0)
  }).timeout(60_000)

  test('two setups generate different secrets; an older .env gets the missing one appended', async ({
    assert,
  }) => {
    const secretsOf = async (dir: string) => {
      await run('bash', [join(ROOT, 'bin/env_secrets')], { cwd: dir })
      const text = await readFile(join(dir, '.env'), 'utf8')
      return Object.fromEntries(
        ['APP_KEY', 'CREDENTIALS_KEY', 'METRICS_TOKEN', 'SANDBOX_SECRET'].map((name) => [
          name,
          new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1] ?? '',
        ])
      )
    }
    const dirs = await Promise.all([1, 2, 3].map(() => mkdtemp(join(tmpdir(), 'sb-setup-'))))
    try {
      for (const dir of dirs) await copyFile(join(ROOT, '.env.example'), join(dir, '.env.example'))
      const [first, second] = await Promise.all(dirs.slice(0, 2).map(secretsOf))

      for (const [name, value] of Object.entries(first)) {
        assert.isAtLeast(value.length, 32, `${name} is generated`)
        assert.notEqual(value, second[name], `${name} differs between installs`)
      }
      assert.notDeepEqual(
        sandboxCredentials(first.SANDBOX_SECRET),
        sandboxCredentials(second.SANDBOX_SECRET)
      )

      const older =
        'NODE_ENV=development\nAPP_KEY=kept-as-it-was-kept-as-it-was-kept\nMETRICS_TOKEN='
      await writeFile(join(dirs[2], '.env'), older)
      const upgraded = await secretsOf(dirs[2])
      assert.equal(upgraded.APP_KEY, 'kept-as-it-was-kept-as-it-was-kept')
      assert.equal(upgraded.METRICS_TOKEN, '', 'an empty scrape token is a choice, kept')
      assert.isAtLeast(upgraded.SANDBOX_SECRET.length, 32)
      assert.isAtLeast(upgraded.CREDENTIALS_KEY.length, 32)
      const text = await readFile(join(dirs[2], '.env'), 'utf8')
      assert.isTrue(
        text.startsWith(`${older}\n`),
        'appended after the last line, nothing rewritten'
      )
    } finally {
      await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })))
    }
  }).timeout(60_000)
})
