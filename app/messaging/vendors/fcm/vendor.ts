import { Channel } from '#enums/channel'
import { GatewayType } from '#enums/gateway_type'
import { defineVendor } from '#messaging/vendors/contract/vendor'
import { fcmConfigFields, fcmConfigSchema } from '#messaging/vendors/fcm/config'
import type { FcmGatewayConfig } from '#messaging/vendors/fcm/gateway'

export const fcmVendor = defineVendor<FcmGatewayConfig>({
  type: GatewayType.Fcm,
  label: 'Firebase Cloud Messaging',
  summary: 'Push notifications to Android, iOS and web apps through FCM',
  channels: [Channel.Push],
  configSchema: fcmConfigSchema,
  configFields: fcmConfigFields,
  // The mask shows the end of the service account's private key
  secret: {
    field: 'serviceAccount',
    value: (config) =>
      (config.serviceAccount as { private_key?: unknown } | undefined)?.private_key,
  },
  otherSecrets: ['reportSecret'],
  urlFields: ['baseUrl'],
  loadGateway: async () => {
    const { FcmGateway } = await import('#messaging/vendors/fcm/gateway')
    return (credentials, { policy }) => new FcmGateway({ ...credentials, policy })
  },
  webhooks: {
    // The push client app's reports: FCM itself has no delivery callback
    path: 'firebase',
    // The body is a push report, validated like the API-key route's (webhooks.firebase)
    status: {
      handler: () =>
        import('#messaging/vendors/fcm/webhook').then((module) => module.FcmPushReportWebhook),
      name: 'firebase.signed',
      parsedBody: true,
    },
  },
})
