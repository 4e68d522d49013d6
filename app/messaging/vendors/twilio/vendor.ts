import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { twilioConfigFields, twilioConfigSchema } from '#messaging/vendors/twilio/config'
import type { TwilioGatewayConfig } from '#messaging/vendors/twilio/gateway'

export const twilioVendor = defineVendor<TwilioGatewayConfig>({
  type: GatewayType.Twilio,
  label: 'Twilio',
  summary: 'SMS through Twilio, with its signed status callbacks and inbound replies',
  channels: [Channel.Sms],
  configSchema: twilioConfigSchema,
  configFields: twilioConfigFields,
  secret: { field: 'authToken' },
  urlFields: ['baseUrl'],
  loadGateway: async () => {
    const { TwilioGateway } = await import('#messaging/vendors/twilio/gateway')
    return (credentials, { policy, statusCallbackUrl }) =>
      new TwilioGateway({ ...credentials, statusCallbackUrl, policy })
  },
  webhooks: {
    path: 'twilio',
    status: {
      handler: () =>
        import('#messaging/vendors/twilio/webhook').then((module) => module.TwilioStatusWebhook),
    },
    inbound: {
      handler: () =>
        import('#messaging/vendors/twilio/inbound').then((module) => module.TwilioInboundWebhook),
    },
  },
})
