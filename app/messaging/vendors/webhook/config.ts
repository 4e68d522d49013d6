import vine from '@vinejs/vine'
import { httpUrl, type ConfigField } from '#messaging/vendors/contract/config_fields'

/** A webhook-channel provider's `config` (WebhookGatewayConfig). */
export const webhookConfigSchema = vine.object({
  /** Signs every delivery: long enough that it cannot be guessed */
  secret: vine.string().minLength(16).maxLength(1024),
  url: httpUrl().optional(),
})

/** The console's form for a webhook-channel provider's `config` */
export const webhookConfigFields: ConfigField[] = [
  {
    name: 'secret',
    label: 'Signing secret',
    input: 'text',
    required: true,
    hint: 'At least 16 characters: every delivery is signed with it, and your receiver checks the signature',
  },
  {
    name: 'url',
    label: 'Receiver URL',
    input: 'url',
    hint: 'For your reference: each webhook message names its own receiver',
  },
]
