import vine from '@vinejs/vine'
import { pushReportSchema } from '#messaging/tracking/push_report_schema'

/** What the push client app reports about a notification it received. */
export const pushReportValidator = vine.compile(pushReportSchema)
