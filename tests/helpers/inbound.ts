import { generateKeyPairSync, sign } from 'node:crypto'
import db from '@adonisjs/lucid/services/db'
import type { ApiClient } from '@japa/api-client'
import { replay, signedTwilioForm } from '#tests/helpers/webhooks'

export function inboundPath(type: 'twilio' | 'postal', providerConfigId: string) {
  return `/api/webhooks/communication/${type}/${providerConfigId}/inbound`
}

/** POST an inbound SMS as Twilio does: form-encoded, signed over the public URL. */
export function postTwilioInbound(
  client: ApiClient,
  providerConfigId: string,
  authToken: string,
  fields: Record<string, string>
) {
  const path = inboundPath('twilio', providerConfigId)
  return replay(client, path, signedTwilioForm(path, authToken, fields))
}

/** A Postal server's signing key: the public half goes in the provider config. */
export function postalSigningKey() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return {
    privateKey,
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  }
}

/** POST an inbound email as Postal's HTTP endpoint does: JSON signed with X-Postal-Signature-256. */
export function postPostalInbound(
  client: ApiClient,
  providerConfigId: string,
  privateKey: ReturnType<typeof postalSigningKey>['privateKey'],
  body: Record<string, unknown>
) {
  const raw = JSON.stringify(body)
  return replay(client, inboundPath('postal', providerConfigId), {
    body: raw,
    headers: {
      'content-type': 'application/json',
      'x-postal-signature-256': sign('sha256', Buffer.from(raw), privateKey).toString('base64'),
    },
  })
}

export async function inboundMessagesOf(tenantId: string) {
  return db
    .from('messages')
    .where('tenant_id', tenantId)
    .where('direction', 'inbound')
    .orderBy('created_at', 'asc')
}

export async function unsubscribeOf(tenantId: string, channel: string, recipient: string) {
  return db
    .from('suppressions')
    .where({ tenant_id: tenantId, channel, recipient, reason: 'unsubscribe' })
    .first()
}
