import vine from '@vinejs/vine'
import { httpUrl, secret, text } from '#messaging/vendors/contract/config_fields'

/** A Postal provider's `config` (PostalGatewayConfig). */
export const postalConfigSchema = vine.object({
  baseUrl: httpUrl(),
  apiKey: secret(),
  from: text(),
  /** Base64 SPKI DER: public, the `p=` of postal._domainkey */
  webhookPublicKey: vine
    .string()
    .trim()
    .regex(/^[A-Za-z0-9+/]+={0,2}$/)
    .optional(),
})
