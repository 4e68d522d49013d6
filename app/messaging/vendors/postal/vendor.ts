import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { postalConfigFields, postalConfigSchema } from '#messaging/vendors/postal/config'
import type { PostalGatewayConfig } from '#messaging/vendors/postal/gateway'

export const postalVendor = defineVendor<PostalGatewayConfig>({
  type: GatewayType.Postal,
  label: 'Postal',
  summary: 'Email through your own Postal mail server, with its signed delivery webhooks',
  channels: [Channel.Email],
  configSchema: postalConfigSchema,
  configFields: postalConfigFields,
  secret: { field: 'apiKey' },
  urlFields: ['baseUrl'],
  loadGateway: async () => {
    const { PostalGateway } = await import('#messaging/vendors/postal/gateway')
    return (credentials, { policy }) => new PostalGateway({ ...credentials, policy })
  },
  webhooks: {
    path: 'postal',
    status: {
      handler: () =>
        import('#messaging/vendors/postal/webhook').then((module) => module.PostalStatusWebhook),
    },
    inbound: {
      handler: () =>
        import('#messaging/vendors/postal/inbound').then((module) => module.PostalInboundWebhook),
    },
  },
})
