import vine from '@vinejs/vine'
import { httpUrl, secret, text, type ConfigField } from '#messaging/vendors/contract/config_fields'

/** An FCM provider's `config` (FcmGatewayConfig). */
export const fcmConfigSchema = vine.object({
  projectId: text(),
  /** The service account key file's JSON; its other fields are kept as they are */
  serviceAccount: vine
    .object({
      project_id: text(),
      client_email: vine.string().trim().email(),
      private_key: secret(),
    })
    .allowUnknownProperties(),
  baseUrl: httpUrl().optional(),
  /** Signs the push client app's delivery/open reports (FCM itself reports nothing) */
  reportSecret: secret().minLength(16).optional(),
})

/** The console's form for an FCM provider's `config` */
export const fcmConfigFields: ConfigField[] = [
  { name: 'projectId', label: 'Firebase project ID', input: 'text', required: true },
  {
    name: 'serviceAccount',
    label: 'Service account key (JSON)',
    input: 'json',
    required: true,
    hint: 'The key file of a service account allowed to send with FCM, pasted whole',
  },
  {
    name: 'reportSecret',
    label: 'Report signing secret',
    input: 'text',
    hint: 'At least 16 characters: your app signs its delivery and open reports with it',
  },
  {
    name: 'baseUrl',
    label: 'API base URL',
    input: 'url',
    hint: "Leave empty for Google's own FCM API",
  },
]
