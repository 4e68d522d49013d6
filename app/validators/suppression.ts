import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import type { Infer } from '@vinejs/vine/types'
import { CHANNELS } from '#enums/channel'
import { SUPPRESSION_REASONS } from '#enums/suppression_reason'
import { recipientForChannel } from '#validators/message_rules'
import { isoDateTime } from '#messaging/iso_date_time'

/** An entry that expired on arrival would protect nobody: it is refused, not stored. */
const inTheFuture = vine.createRule((value, _options, field) => {
  const date = typeof value === 'string' ? DateTime.fromISO(value, { setZone: true }) : null
  if (date?.isValid && date.toMillis() <= Date.now()) {
    field.report('The {{ field }} must be in the future', 'future', field)
  }
})

/**
 * A recipient never to send to. The recipient must fit the channel, the way a
 * send's does, and is stored in the same normal form (see recipient_rules.ts).
 */
export const createSuppressionValidator = vine.compile(
  vine.object({
    channel: vine.enum(CHANNELS),
    recipient: vine.string().trim().maxLength(4096).use(recipientForChannel()),
    reason: vine.enum(SUPPRESSION_REASONS).optional(),
    expiresAt: vine
      .string()
      .use(isoDateTime())
      .use(inTheFuture())
      .transform((value) => DateTime.fromISO(value, { setZone: true }).toJSDate())
      .optional(),
    details: vine.record(vine.any()).optional(),
  })
)

/** Which entry to lift (comms:suppress remove); any recipient form, it is normalised to match. */
export const removeSuppressionValidator = vine.compile(
  vine.object({
    channel: vine.enum(CHANNELS),
    recipient: vine.string().trim().minLength(1).maxLength(4096),
  })
)

export const listSuppressionsValidator = vine.compile(
  vine.object({
    /** Part of the recipient, any case */
    search: vine.string().trim().minLength(1).maxLength(255).optional(),
    channel: vine.enum(CHANNELS).optional(),
    reason: vine.enum(SUPPRESSION_REASONS).optional(),
    page: vine.number().withoutDecimals().min(1).optional(),
    perPage: vine.number().withoutDecimals().range([1, 100]).optional(),
  })
)

export type CreateSuppressionRequest = Infer<typeof createSuppressionValidator>
export type SuppressionFilters = Infer<typeof listSuppressionsValidator>
