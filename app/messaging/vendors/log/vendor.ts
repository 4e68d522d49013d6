import { CHANNELS } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { logConfigSchema } from '#messaging/vendors/log/config'
import { LogGateway } from '#messaging/vendors/log/gateway'

/** The smallest vendor: every channel, no settings, no secret, no webhooks. */
export const logVendor = defineVendor({
  type: GatewayType.Log,
  channels: CHANNELS,
  configSchema: logConfigSchema,
  urlFields: [],
  createGateway: (_credentials, { logger, logGatewayLatencyMs }) =>
    new LogGateway(logger, logGatewayLatencyMs),
})
