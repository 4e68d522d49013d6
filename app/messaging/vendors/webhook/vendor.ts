import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { webhookConfigSchema } from '#messaging/vendors/webhook/config'
import type { WebhookGatewayConfig } from '#messaging/vendors/webhook/gateway'

export const webhookVendor = defineVendor<WebhookGatewayConfig>({
  type: GatewayType.Webhook,
  channels: [Channel.Webhook],
  configSchema: webhookConfigSchema,
  secret: { field: 'secret' },
  urlFields: ['url'],
  loadGateway: async () => {
    const { SignedWebhookGateway } = await import('#messaging/vendors/webhook/gateway')
    // Every message names its own receiver, so whoever owns the account, the tenant steers it
    return (credentials, { tenantPolicy }) =>
      new SignedWebhookGateway({ ...credentials, policy: tenantPolicy })
  },
})
