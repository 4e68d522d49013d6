import type { ApiClient } from '@japa/api-client'
import { PostalFakeServer, type PostalFakeOptions } from '#messaging/vendors/postal/fake'
import { createProvider } from '#tests/helpers/providers'
import { createTenant } from '#tests/helpers/tenants'

/** The key createPostalTenant's account uses, for a fake of one's own */
export const FAKE_POSTAL_API_KEY = 'fake-postal-api-key'
const API_KEY = FAKE_POSTAL_API_KEY

/**
 * A fake Postal server on a free port; its webhooks go to `callbacks` if
 * given, and `timeout@` recipients get their reply after `hangMs`.
 */
export function startFakePostal(callbacks?: PostalFakeOptions['callbacks'], hangMs?: number) {
  return new PostalFakeServer({ apiKey: API_KEY, callbacks, ...(hangMs ? { hangMs } : {}) }).start()
}

/** A new tenant whose email goes through its own Postal account: the fake `postal`. */
export async function createPostalTenant(client: ApiClient, postal: PostalFakeServer) {
  const tenant = await createTenant('Postal tenant')
  const providerId = await createProvider(client, tenant.headers, {
    type: 'postal',
    channel: 'email',
    name: 'Postal (fake)',
    config: {
      baseUrl: postal.baseUrl,
      apiKey: API_KEY,
      from: 'notifications@switchboard.test',
      webhookPublicKey: postal.webhookPublicKey,
    },
  })
  return { ...tenant, providerId }
}

/**
 * A POST /api/v1/messages/bulk body: `count` emails, recipients spread over
 * many domains so the per-domain rate limits hold none of them back.
 */
export function bulkEmails(count: number, label: string, fields: Record<string, unknown> = {}) {
  return {
    channel: 'email',
    priority: 'P2',
    subject: `Fault run ${label}`,
    content: { text: 'Hello from the fault suite' },
    recipients: Array.from({ length: count }, (_, index) => ({
      recipient: `${label}-${index}@m${index % 250}.example.com`,
    })),
    ...fields,
  }
}
