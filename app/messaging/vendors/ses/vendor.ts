import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { sesConfigFields, sesConfigSchema } from '#messaging/vendors/ses/config'
import type { SesGatewayConfig } from '#messaging/vendors/ses/gateway'

export const sesVendor = defineVendor<SesGatewayConfig>({
  type: GatewayType.Ses,
  label: 'Amazon SES',
  summary: 'Email through Amazon Simple Email Service, with delivery events over SNS',
  channels: [Channel.Email],
  configSchema: sesConfigSchema,
  configFields: sesConfigFields,
  secret: { field: 'secretAccessKey' },
  urlFields: ['endpoint'],
  loadGateway: async () => {
    const { SesGateway } = await import('#messaging/vendors/ses/gateway')
    return (credentials, { policy }) => new SesGateway({ ...credentials, policy })
  },
  webhooks: {
    path: 'ses',
    status: {
      handler: () => import('#messaging/vendors/ses/webhook').then((module) => module.SesWebhook),
    },
  },
})
