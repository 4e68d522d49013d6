import { randomBytes } from 'node:crypto'
import { inject } from '@adonisjs/core'
import { CredentialsCipher, maskSecret } from '#messaging/providers/credentials_cipher'

interface SealedSecret {
  secret: string
}

/**
 * An endpoint's signing secret is a credential: sealed at rest with the
 * provider credentials' key, shown to the tenant in full only once.
 */
@inject()
export class WebhookSecrets {
  constructor(private cipher: CredentialsCipher) {}

  /** 32 random bytes, prefixed so a leaked one is recognisable in a scan */
  generate() {
    return `whsec_${randomBytes(32).toString('base64url')}`
  }

  seal(secret: string) {
    return { encryptedSecret: this.cipher.encrypt({ secret }), secretMask: maskSecret(secret) }
  }

  open(encryptedSecret: string) {
    return this.cipher.decrypt<SealedSecret>(encryptedSecret).secret
  }
}
