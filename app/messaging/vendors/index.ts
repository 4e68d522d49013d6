import type { GatewayType } from '#enums/gateway_type'
import type { Vendor } from '#messaging/vendors/contract/vendor'
import { postalVendor } from '#messaging/vendors/postal/vendor'
import { sesVendor } from '#messaging/vendors/ses/vendor'
import { twilioVendor } from '#messaging/vendors/twilio/vendor'
import { fcmVendor } from '#messaging/vendors/fcm/vendor'
import { webhookVendor } from '#messaging/vendors/webhook/vendor'
import { logVendor } from '#messaging/vendors/log/vendor'

/**
 * Every vendor Switchboard can send through. A vendor is its folder and its
 * line here: the provider API's validation, secret masking, gateway factory
 * and webhook routes all read this list.
 */
export const VENDORS: readonly Vendor[] = [
  postalVendor,
  sesVendor,
  twilioVendor,
  fcmVendor,
  webhookVendor,
  logVendor,
]

const BY_TYPE = new Map<string, Vendor>(VENDORS.map((vendor) => [vendor.type, vendor]))

/** The vendor of a provider type; undefined for a string that names none. */
export function findVendor(type: string): Vendor | undefined {
  return BY_TYPE.get(type)
}

/** The vendor of a stored provider type: every GatewayType has one. */
export function vendorOf(type: GatewayType): Vendor {
  return BY_TYPE.get(type)!
}
