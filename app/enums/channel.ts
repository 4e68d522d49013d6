export enum Channel {
  Email = 'email',
  Sms = 'sms',
  Push = 'push',
  Webhook = 'webhook',
}

export const CHANNELS = Object.values(Channel)
