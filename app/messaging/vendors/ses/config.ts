import vine from '@vinejs/vine'
import { httpUrl, secret, text } from '#messaging/vendors/contract/config_fields'

/** An SES provider's `config` (SesGatewayConfig). */
export const sesConfigSchema = vine.object({
  region: vine
    .string()
    .trim()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/),
  accessKeyId: text(),
  secretAccessKey: secret(),
  endpoint: httpUrl().optional(),
  from: text(),
  configurationSet: text().optional(),
  snsTopicArn: vine
    .string()
    .trim()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/)
    .optional(),
})
