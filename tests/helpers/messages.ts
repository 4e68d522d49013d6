import type { ApiClient } from '@japa/api-client'
import type { MessageStore } from '#messaging/outbox/message_store'
import { createTenant } from '#tests/helpers/tenants'

/** POST /api/v1/messages, asserting it was accepted: the message id. */
export async function acceptMessage(
  client: ApiClient,
  headers: Record<string, string>,
  body: Record<string, unknown>
) {
  const created = await client.post('/api/v1/messages').headers(headers).json(body)
  created.assertStatus(201)
  return created.body().id as string
}

/** A P2 SMS of a fresh tenant's, accepted: the message id. */
export async function acceptedSms(client: ApiClient, recipient: string) {
  const { headers } = await createTenant()
  return acceptMessage(client, headers, {
    channel: 'sms',
    priority: 'P2',
    recipient,
    content: { text: 'x' },
  })
}

/** A fresh tenant's SMS, accepted and claimed through `store` for a 60 s lease, as a worker claims it. */
export async function claimedSms(client: ApiClient, store: MessageStore, recipient: string) {
  const id = await acceptedSms(client, recipient)
  const claimed = (await store.claim(id, 60))!
  return { id, claimed }
}
