import vine from '@vinejs/vine'
import { httpUrl, secret, text, type ConfigField } from '#messaging/vendors/contract/config_fields'

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

/** The console's form for a Twilio provider's `config` */
export const twilioConfigFields: ConfigField[] = [
  {
    name: 'accountSid',
    label: 'Account SID',
    input: 'text',
    required: true,
    placeholder: 'AC…',
  },
  { name: 'authToken', label: 'Auth token', input: 'text', required: true },
  {
    name: 'from',
    label: 'From number',
    input: 'text',
    placeholder: '+15005550006',
    hint: 'A Twilio number in international format; needed unless a messaging service is set',
  },
  {
    name: 'messagingServiceSid',
    label: 'Messaging service SID',
    input: 'text',
    placeholder: 'MG…',
    hint: 'Sends through a messaging service (its sender pool) instead of one number',
  },
  {
    name: 'baseUrl',
    label: 'API base URL',
    input: 'url',
    hint: "Leave empty for Twilio's own API",
  },
]
