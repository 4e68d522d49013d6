import vine from '@vinejs/vine'
import { httpUrl, secret, text } from '#messaging/vendors/contract/config_fields'

/** A Twilio provider's `config` (TwilioGatewayConfig). */
export const twilioConfigSchema = vine.object({
  accountSid: vine
    .string()
    .trim()
    .regex(/^AC[0-9a-fA-F]{32}$/),
  authToken: secret(),
  from: text().optional().requiredIfMissing('messagingServiceSid'),
  messagingServiceSid: vine
    .string()
    .trim()
    .regex(/^MG[0-9a-fA-F]{32}$/)
    .optional(),
  baseUrl: httpUrl().optional(),
})
