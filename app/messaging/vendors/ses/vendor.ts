import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { sesConfigSchema } from '#messaging/vendors/ses/config'
import { SesGateway, type SesGatewayConfig } from '#messaging/vendors/ses/gateway'
import { SesWebhook } from '#messaging/vendors/ses/webhook'

export const sesVendor = defineVendor<SesGatewayConfig>({
  type: GatewayType.Ses,
  channels: [Channel.Email],
  configSchema: sesConfigSchema,
  secret: { field: 'secretAccessKey' },
  urlFields: ['endpoint'],
  createGateway: (credentials, { policy }) => new SesGateway({ ...credentials, policy }),
  webhooks: { path: 'ses', status: { handler: SesWebhook } },
})
