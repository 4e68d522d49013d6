import vine from '@vinejs/vine'
import type { Infer } from '@vinejs/vine/types'
import { DateTime } from 'luxon'
import { isoDateTime } from '#messaging/iso_date_time'

const PUSH_REPORT_EVENTS = ['delivered', 'opened', 'clicked'] as const

/**
 * What the push client app reports about a notification it received: the
 * API-key route validates it (validators/push_report.ts), and so does FCM's
 * signed status webhook once the signature holds.
 */
export const pushReportSchema = vine.object({
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

export type PushReport = Infer<typeof pushReportSchema>
