import vine from '@vinejs/vine'
import type { Infer } from '@vinejs/vine/types'
import { CHANNELS } from '#enums/channel'
import { GATEWAY_TYPES } from '#enums/gateway_type'
import { text } from '#messaging/vendors/contract/config_fields'
import { providerPriority } from '#messaging/accounts/provider_config_schema'

/** Fields to merge over stored ones; null removes one. */
const changedFields = () => vine.record(vine.any().nullable())

/**
 * PATCH: every field optional. `config` and `metadata` are merged over the
 * stored ones (null removes a key), and the result is validated again as a
 * whole with providerConfigValidator (messaging/accounts).
 */
export const updateProviderValidator = vine.compile(
  vine.object({
    type: vine.enum(GATEWAY_TYPES).optional(),
    channel: vine.enum(CHANNELS).optional(),
    name: text().optional(),
    priority: providerPriority().optional(),
    enabled: vine.boolean().optional(),
    config: changedFields().optional(),
    metadata: changedFields().optional(),
  })
)

export type UpdateProviderRequest = Infer<typeof updateProviderValidator>
