import vine from '@vinejs/vine'
import { httpUrl, secret, text, type ConfigField } from '#messaging/vendors/contract/config_fields'

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

/** The console's form for a Postal provider's `config` */
export const postalConfigFields: ConfigField[] = [
  {
    name: 'baseUrl',
    label: 'Base URL',
    input: 'url',
    required: true,
    placeholder: 'https://postal.example.com',
    hint: 'Your Postal server, where its API answers',
  },
  {
    name: 'apiKey',
    label: 'API key',
    input: 'text',
    required: true,
    hint: 'An API credential of your Postal mail server (Credentials, type API)',
  },
  {
    name: 'from',
    label: 'From address',
    input: 'text',
    required: true,
    placeholder: 'notifications@example.com',
    hint: 'A sender on a domain your Postal server sends for',
  },
  {
    name: 'webhookPublicKey',
    label: 'Webhook public key',
    input: 'text',
    hint: "The p= value of your server's postal._domainkey DNS record: Switchboard checks Postal's signed delivery webhooks with it",
  },
]
