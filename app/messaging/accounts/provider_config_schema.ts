import vine from '@vinejs/vine'
import type { Infer } from '@vinejs/vine/types'
import { CHANNELS, type Channel } from '#enums/channel'
import { GATEWAY_TYPES } from '#enums/gateway_type'
import { text } from '#messaging/vendors/contract/config_fields'
import { VENDORS, findVendor } from '#messaging/vendors/index'

/** Lower is tried first */
export const providerPriority = () => vine.number().withoutDecimals().min(0).max(1000)

/** Each type's `config`: the fields its gateway is built from (the vendor's config schema). */
const configForType = vine
  .group(
    VENDORS.map(({ type, configSchema }) =>
      vine.group.if((data) => data.type === type, { config: configSchema })
    )
  )
  // An unknown type is already reported on the `type` field
  .otherwise(() => {})

/** A provider type only carries some channels (postal and ses: email, twilio: sms, ...). */
const channelOfType = vine.createRule((value, _options, field) => {
  const type = field.parent.type
  const vendor = typeof type === 'string' ? findVendor(type) : undefined
  if (vendor && !vendor.channels.includes(value as Channel)) {
    field.report(
      `The ${type} provider type carries ${vendor.channels.join(', ')}, not ${value}`,
      'channelOfType',
      field
    )
  }
})

/** `tps` caps the provider's sends per second; other keys are free-form. */
const metadata = () =>
  vine.object({ tps: vine.number().positive().optional() }).allowUnknownProperties()

/**
 * A whole provider config: what the API takes to create one, and what a
 * changed one must still be once its changes are merged over the stored one.
 */
export const providerConfigValidator = vine.compile(
  vine
    .object({
      type: vine.enum(GATEWAY_TYPES),
      channel: vine.enum(CHANNELS).use(channelOfType()),
      name: text(),
      priority: providerPriority().optional(),
      enabled: vine.boolean().optional(),
      metadata: metadata().optional(),
    })
    .merge(configForType)
)

export type ProviderConfigInput = Infer<typeof providerConfigValidator>
