import type { GatewayType } from '#enums/gateway_type'
import type { UrlField } from '#messaging/egress/egress_url_check'
import { vendorOf } from '#messaging/vendors/index'

/** The URLs a provider config would have us call, each named by its request field. */
export function providerUrls(type: GatewayType, config: Record<string, unknown>): UrlField[] {
  return vendorOf(type)
    .urlFields.filter((name) => typeof config[name] === 'string')
    .map((name) => ({ field: `config.${name}`, url: config[name] as string }))
}
