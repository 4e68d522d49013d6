import { randomBytes } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import twilio from 'twilio'
import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import ProviderConfig from '#models/provider_config'
import { ProviderAccounts } from '#messaging/accounts/provider_accounts'
import { SnsFetcher } from '#messaging/vendors/ses/sns_fetcher'

/** A provider config with sealed credentials, as the providers API stores one. */
export async function createProviderConfig(
  type: GatewayType,
  channel: Channel,
  credentials: Record<string, unknown>,
  tenantId: string | null = null
) {
  const accounts = await app.container.make(ProviderAccounts)
  return ProviderConfig.create({
    ...accounts.sealNew(tenantId, credentials),
    type,
    channel,
    name: `Test ${type}`,
    priority: 0,
    // Webhooks find their account by id; a disabled account routes no later test's messages
    enabled: false,
    mask: '…test',
    metadata: {},
  })
}

/** A Twilio account's config under a fresh account SID. */
export function createTwilioConfig(
  authToken: string,
  from: string,
  tenantId: string | null = null
) {
  return createProviderConfig(
    GatewayType.Twilio,
    Channel.Sms,
    { accountSid: `AC${randomBytes(16).toString('hex')}`, authToken, from },
    tenantId
  )
}

/** A fresh Twilio message SID. */
export function twilioMessageSid() {
  return `SM${randomBytes(16).toString('hex')}`
}

/** A form-encoded Twilio request to our path, signed over the public URL as Twilio signs it. */
export function signedTwilioForm(path: string, authToken: string, fields: Record<string, string>) {
  const url = `${app.config.get<string>('app.appUrl')}${path}`
  return {
    body: new URLSearchParams(fields).toString(),
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilio.getExpectedTwilioSignature(authToken, url, fields),
    },
  }
}

export function webhookPath(
  type: 'postal' | 'ses' | 'twilio' | 'firebase',
  providerConfigId: string
) {
  return `/api/webhooks/communication/${type}/${providerConfigId}`
}

/**
 * Accept a message through the API, then record it sent through a gateway as
 * the worker does, so a webhook has something to match.
 */
export async function createSentMessage(
  client: ApiClient,
  headers: Record<string, string>,
  body: Record<string, unknown>,
  sent: { providerConfigId: string; gateway: string; providerMessageId?: string }
) {
  const response = await client.post('/api/v1/messages').headers(headers).json(body)
  response.assertStatus(201)
  const id: string = response.body().id
  await markSent(id, sent)
  return id
}

export async function markSent(
  id: string,
  sent: { providerConfigId: string; gateway: string; providerMessageId?: string }
) {
  await db
    .from('messages')
    .where('id', id)
    .update({
      status: 'sent',
      sent_at: new Date(),
      gateway: sent.gateway,
      provider_config_id: sent.providerConfigId,
      provider_message_id: sent.providerMessageId ?? null,
    })
}

/** POST a provider's callback to our endpoint with its exact bytes and the headers that matter. */
export function replay(
  client: ApiClient,
  path: string,
  callback: { body: string; headers: Record<string, string | string[] | undefined> }
) {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(callback.headers)) {
    const kept = /^(content-type|user-agent|x-)/i.test(name)
    if (kept && typeof value === 'string') headers[name] = value
  }
  return client.post(path).unsafeJson(callback.body).headers(headers)
}

export async function providerEventsOf(messageId: string) {
  return db
    .from('delivery_events')
    .where('message_id', messageId)
    .whereNot('source', 'internal')
    .orderBy('id', 'asc')
}

export async function messageRow(id: string) {
  return db.from('messages').where('id', id).firstOrFail()
}

export async function statusOf(id: string): Promise<string> {
  const message = await messageRow(id)
  return message.status
}

/**
 * SNS without AWS: serves the fake SNS signers' self-signed certificates by
 * URL and records the subscriptions confirmed.
 */
export class FakeSnsFetcher extends SnsFetcher {
  readonly certificates = new Map<string, string>()
  readonly confirmed: string[] = []

  serve(url: string, certificatePem: string) {
    this.certificates.set(url, certificatePem)
    return this
  }

  async certificate(url: URL) {
    const pem = this.certificates.get(url.href)
    if (!pem) throw new Error(`no certificate at ${url.href}`)
    return pem
  }

  async confirmSubscription(url: URL) {
    this.confirmed.push(url.href)
  }
}
