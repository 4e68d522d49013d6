import vine from '@vinejs/vine'
import { httpUrl } from '#messaging/vendors/contract/config_fields'

/** A webhook-channel provider's `config` (WebhookGatewayConfig). */
export const webhookConfigSchema = vine.object({
  /** Signs every delivery: long enough that it cannot be guessed */
  secret: vine.string().minLength(16).maxLength(1024),
  url: httpUrl().optional(),
})
