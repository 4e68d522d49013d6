import { randomBytes } from 'node:crypto'
import { inject } from '@adonisjs/core'
import { CredentialsCipher, maskSecret } from '#messaging/accounts/credentials_cipher'
import { WEBHOOK_ENDPOINT_SECRET, sealedRow } from '#messaging/accounts/credentials_columns'

interface SealedSecret {
  secret: string
}

/** The endpoint a secret is sealed to */
interface EndpointRow {
  id: string
  tenantId: string
}

/**
 * An endpoint's signing secret is a credential: sealed at rest with the
 * provider credentials' key ring and bound to its endpoint, shown to the
 * tenant in full only once.
 */
@inject()
export class WebhookSecrets {
  constructor(private cipher: CredentialsCipher) {}

  /** 32 random bytes, prefixed so a leaked one is recognisable in a scan */
  generate() {
    return `whsec_${randomBytes(32).toString('base64url')}`
  }

  seal(endpoint: EndpointRow, secret: string) {
    return {
      encryptedSecret: this.cipher.encrypt(
        { secret },
        sealedRow(WEBHOOK_ENDPOINT_SECRET, endpoint)
      ),
      secretMask: maskSecret(secret),
    }
  }

  open(endpoint: EndpointRow & { encryptedSecret: string }) {
    const row = sealedRow(WEBHOOK_ENDPOINT_SECRET, endpoint)
    return this.cipher.decrypt<SealedSecret>(endpoint.encryptedSecret, row).secret
  }
}
