import vine from '@vinejs/vine'
import { DateTime } from 'luxon'
import type { Infer } from '@vinejs/vine/types'
import { TENANT_WEBHOOK_EVENT_TYPES } from '#enums/tenant_webhook_event_type'
import { recipientUrl } from '#messaging/vendors/webhook/gateway'
import { isoDateTime } from '#messaging/iso_date_time'

/** The same receivers the webhook gateway posts to: https, or http on loopback only. */
const receiverUrl = vine.createRule((value, _options, field) => {
  if (typeof value === 'string' && !recipientUrl(value)) {
    field.report(
      'The {{ field }} must be an https URL (plain http only to localhost or 127.0.0.1)',
      'receiverUrl',
      field
    )
  }
})

export const createWebhookEndpointValidator = vine.compile(
  vine.object({
    url: vine.string().trim().maxLength(2048).use(receiverUrl()),
    eventTypes: vine.array(vine.enum(TENANT_WEBHOOK_EVENT_TYPES)).minLength(1).distinct(),
    /** Generated when absent; long enough that it cannot be guessed */
    secret: vine.string().minLength(16).maxLength(1024).optional(),
  })
)

export type CreateWebhookEndpointRequest = Infer<typeof createWebhookEndpointValidator>

/** POST /api/v1/webhooks/:id/replay: only the events whose last attempt failed at or after `since` */
export const replayWebhookDeliveriesValidator = vine.compile(
  vine.object({
    since: vine
      .string()
      .use(isoDateTime())
      .transform((value) => DateTime.fromISO(value, { setZone: true }).toJSDate())
      .optional(),
  })
)
