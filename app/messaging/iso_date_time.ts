import vine from '@vinejs/vine'
import { DateTime } from 'luxon'

/** An ISO 8601 date-time with its offset. */
export const isoDateTime = vine.createRule((value, _options, field) => {
  if (typeof value !== 'string' || !DateTime.fromISO(value, { setZone: true }).isValid) {
    field.report('The {{ field }} must be an ISO 8601 date-time', 'isoDateTime', field)
  }
})
