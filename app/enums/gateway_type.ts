export enum GatewayType {
  Postal = 'postal',
  Ses = 'ses',
  Twilio = 'twilio',
  Fcm = 'fcm',
  Webhook = 'webhook',
  Log = 'log',
}

export const GATEWAY_TYPES = Object.values(GatewayType)
