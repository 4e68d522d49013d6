import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { twilioConfigSchema } from '#messaging/vendors/twilio/config'
import { TwilioGateway, type TwilioGatewayConfig } from '#messaging/vendors/twilio/gateway'
import { TwilioStatusWebhook } from '#messaging/vendors/twilio/webhook'
import { TwilioInboundWebhook } from '#messaging/vendors/twilio/inbound'

export const twilioVendor = defineVendor<TwilioGatewayConfig>({
  type: GatewayType.Twilio,
  channels: [Channel.Sms],
  configSchema: twilioConfigSchema,
  secret: { field: 'authToken' },
  urlFields: ['baseUrl'],
  createGateway: (credentials, { policy, statusCallbackUrl }) =>
    new TwilioGateway({ ...credentials, statusCallbackUrl, policy }),
  webhooks: {
    path: 'twilio',
    status: { handler: TwilioStatusWebhook },
    inbound: { handler: TwilioInboundWebhook },
  },
})
