import vine from '@vinejs/vine'
import type { Infer } from '@vinejs/vine/types'
import { CHANNELS } from '#enums/channel'
import { GATEWAY_TYPES } from '#enums/gateway_type'
import { text } from '#messaging/vendors/contract/config_fields'
import {
  providerConfigValidator,
  providerPriority,
  type ProviderConfigInput,
} from '#messaging/accounts/provider_config_schema'

/** A new provider: its type's config schema comes from the vendor list (messaging/vendors). */
export const createProviderValidator = providerConfigValidator

/** Fields to merge over stored ones; null removes one. */
const changedFields = () => vine.record(vine.any().nullable())

/**
 * PATCH: every field optional. `config` and `metadata` are merged over the
 * stored ones (null removes a key), and the result is validated again as a
 * whole with createProviderValidator.
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

export type CreateProviderRequest = ProviderConfigInput
export type UpdateProviderRequest = Infer<typeof updateProviderValidator>
