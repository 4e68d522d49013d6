import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { postalConfigSchema } from '#messaging/vendors/postal/config'
import { PostalGateway, type PostalGatewayConfig } from '#messaging/vendors/postal/gateway'
import { PostalStatusWebhook } from '#messaging/vendors/postal/webhook'
import { PostalInboundWebhook } from '#messaging/vendors/postal/inbound'

export const postalVendor = defineVendor<PostalGatewayConfig>({
  type: GatewayType.Postal,
  channels: [Channel.Email],
  configSchema: postalConfigSchema,
  secret: { field: 'apiKey' },
  urlFields: ['baseUrl'],
  createGateway: (credentials, { policy }) => new PostalGateway({ ...credentials, policy }),
  webhooks: {
    path: 'postal',
    status: { handler: PostalStatusWebhook },
    inbound: { handler: PostalInboundWebhook },
  },
})
