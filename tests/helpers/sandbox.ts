import { randomBytes } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import { Sandbox } from '#sandbox/sandbox'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import type { PostalFakeServer } from '#messaging/vendors/postal/fake'
import type { SesFakeServer } from '#messaging/vendors/ses/fake'
import type { TwilioFakeServer } from '#messaging/vendors/twilio/fake'
import type { FcmFakeServer } from '#messaging/vendors/fcm/fake'
import { truncateMessages } from '#tests/helpers/database'
import { emptyQueues } from '#tests/helpers/queues'

export interface SandboxFakes {
  sandbox: Sandbox
  postal: PostalFakeServer
  ses: SesFakeServer
  twilio: TwilioFakeServer
  fcm: FcmFakeServer
}

/**
 * A clean slate with the sandbox as the only providers (system defaults on
 * free ports: Postal then SES for email, Twilio, FCM), as `node ace sandbox`
 * sets them up, with a secret of this run's own (SANDBOX_SECRET in an
 * install). Stop it with `sandbox.stop()`.
 */
export async function startSandbox(): Promise<SandboxFakes> {
  await truncateMessages()
  await db.from('provider_configs').delete()
  await emptyQueues()
  const sandbox = await new Sandbox(
    await app.container.make(ProviderAccounts),
    await app.container.make('logger'),
    {
      appUrl: app.config.get<string>('app.appUrl'),
      portBase: 0,
      secret: randomBytes(32).toString('base64url'),
    }
  ).start()
  const [postal, ses, twilio, fcm] = sandbox.servers
  return {
    sandbox,
    postal: postal as PostalFakeServer,
    ses: ses as SesFakeServer,
    twilio: twilio as TwilioFakeServer,
    fcm: fcm as FcmFakeServer,
  }
}

/** A message's row and its event types, in order. */
export async function messageWithEvents(id: string) {
  const message = await db.from('messages').where('id', id).firstOrFail()
  const events = await db.from('delivery_events').where('message_id', id).orderBy('id')
  return { message, events, types: events.map((event) => event.type as string) }
}

export async function statusOf(id: string) {
  const row = await db.from('messages').where('id', id).select('status').first()
  return row?.status as string | undefined
}
