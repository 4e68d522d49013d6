import { CHANNELS } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { logConfigSchema } from '#messaging/vendors/log/config'

/** The smallest vendor: every channel, no settings, no secret, no webhooks. */
export const logVendor = defineVendor({
  type: GatewayType.Log,
  label: 'Log',
  summary: 'Writes each message to the server log instead of sending it: for development',
  channels: CHANNELS,
  configSchema: logConfigSchema,
  configFields: [],
  urlFields: [],
  loadGateway: async () => {
    const { LogGateway } = await import('#messaging/vendors/log/gateway')
    return (_credentials, { logger, logGatewayLatencyMs }) =>
      new LogGateway(logger, logGatewayLatencyMs)
  },
})
