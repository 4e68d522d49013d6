import { createHmac } from 'node:crypto'

/** bin/setup generates 32 random bytes; anything much shorter is not a secret */
const MIN_SECRET_LENGTH = 32

export interface SandboxCredentials {
  postalApiKey: string
  sesAccessKeyId: string
  sesSecretAccessKey: string
  twilioAccountSid: string
  /** Also signs the fake Twilio's status callbacks */
  twilioAuthToken: string
  /** Signs the fake FCM client app's delivery reports */
  fcmReportSecret: string
}

export class SandboxSecretMissingError extends Error {
  constructor() {
    super(
      `SANDBOX_SECRET must hold at least ${MIN_SECRET_LENGTH} characters: run bin/setup, ` +
        'which generates it into .env'
    )
  }
}

/**
 * The sandbox accounts' keys, derived from this install's SANDBOX_SECRET: the
 * webhooks trust what the sandbox's accounts hold, so none of it may be a
 * constant of the source, which anyone can read.
 */
export function sandboxCredentials(secret: string | undefined): SandboxCredentials {
  if (!secret || secret.length < MIN_SECRET_LENGTH) {
    throw new SandboxSecretMissingError()
  }
  const derive = (purpose: string) => createHmac('sha256', secret).update(purpose).digest()
  return {
    postalApiKey: derive('postal api key').toString('base64url'),
    sesAccessKeyId: `AKIA${derive('ses access key id').toString('hex').slice(0, 16).toUpperCase()}`,
    sesSecretAccessKey: derive('ses secret access key').toString('base64'),
    twilioAccountSid: `AC${derive('twilio account sid').toString('hex')}`.slice(0, 34),
    twilioAuthToken: derive('twilio auth token').toString('hex').slice(0, 32),
    fcmReportSecret: derive('fcm report secret').toString('base64url'),
  }
}
