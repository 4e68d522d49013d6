import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { webhookConfigFields, webhookConfigSchema } from '#messaging/vendors/webhook/config'
import type { WebhookGatewayConfig } from '#messaging/vendors/webhook/gateway'

export const webhookVendor = defineVendor<WebhookGatewayConfig>({
  type: GatewayType.Webhook,
  label: 'Signed webhook',
  summary: 'Messages posted as signed JSON to the URL each message names',
  channels: [Channel.Webhook],
  configSchema: webhookConfigSchema,
  configFields: webhookConfigFields,
  secret: { field: 'secret' },
  urlFields: ['url'],
  loadGateway: async () => {
    const { SignedWebhookGateway } = await import('#messaging/vendors/webhook/gateway')
    // Every message names its own receiver, so whoever owns the account, the tenant steers it
    return (credentials, { tenantPolicy }) =>
      new SignedWebhookGateway({ ...credentials, policy: tenantPolicy })
  },
})
