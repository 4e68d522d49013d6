import vine from '@vinejs/vine'
import { httpUrl, secret, text } from '#messaging/vendors/contract/config_fields'

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
