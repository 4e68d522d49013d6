import vine from '@vinejs/vine'
import { CHANNELS } from '#enums/channel'
import { GATEWAY_TYPES } from '#enums/gateway_type'
import { text } from '#messaging/vendors/contract/config_fields'

/**
 * The console's provider form: its name and channel, its ordinary config
 * fields as `config[…]` and its credentials as `secrets[…]` (never flashed
 * back into the session). The vendor's own rules are checked on the config
 * the form makes (app/controllers/console/provider_form.ts), as the API's are.
 */
const providerForm = {
  channel: vine.enum(CHANNELS),
  name: text(),
  config: vine.record(vine.string()).optional(),
  secrets: vine.record(vine.string()).optional(),
}

/** A new provider: its type too */
export const newProviderFormValidator = vine.compile(
  vine.object({ type: vine.enum(GATEWAY_TYPES), ...providerForm })
)

/** A provider's edit: its type stays */
export const providerFormValidator = vine.compile(vine.object(providerForm))

/** The list's buttons */
export const providerEnabledValidator = vine.compile(vine.object({ enabled: vine.boolean() }))
export const providerMoveValidator = vine.compile(
  vine.object({ direction: vine.enum(['up', 'down'] as const) })
)
