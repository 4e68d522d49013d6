import { GatewayType } from '#enums/gateway_type'
import type { UrlField } from '#messaging/egress/egress_url_check'

/** The config fields of each provider type that name an address Switchboard calls */
const URL_FIELDS: Record<GatewayType, string[]> = {
  [GatewayType.Postal]: ['baseUrl'],
  [GatewayType.Ses]: ['endpoint'],
  [GatewayType.Twilio]: ['baseUrl'],
  [GatewayType.Fcm]: ['baseUrl'],
  [GatewayType.Webhook]: ['url'],
  [GatewayType.Log]: [],
}

/** The URLs a provider config would have us call, each named by its request field. */
export function providerUrls(type: GatewayType, config: Record<string, unknown>): UrlField[] {
  return URL_FIELDS[type]
    .filter((name) => typeof config[name] === 'string')
    .map((name) => ({ field: `config.${name}`, url: config[name] as string }))
}
