import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import { isoDateTime } from '#validators/message_rules'

export const PUSH_REPORT_EVENTS = ['delivered', 'opened', 'clicked'] as const

/** What the push client app reports about a notification it received. */
export const pushReportValidator = vine.compile(
  vine.object({
    messageId: vine.string().trim().uuid(),
    event: vine.enum(PUSH_REPORT_EVENTS),
    occurredAt: vine
      .string()
      .use(isoDateTime())
      .transform((value) => DateTime.fromISO(value, { setZone: true }).toJSDate())
      .optional(),
    /** The app's id for this report, so a report sent twice counts once */
    reportId: vine.string().trim().minLength(1).maxLength(200),
  })
)
