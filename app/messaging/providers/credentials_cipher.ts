import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

const ALGORITHM = 'aes-256-gcm'
const VERSION = 'v1'

export class CredentialsKeyError extends Error {}

/**
 * Provider credentials at rest: AES-256-GCM with a random 96-bit IV per
 * value, stored as `v1.<iv>.<tag>.<ciphertext>` (base64url). The auth tag
 * makes a wrong key or a tampered value fail loudly instead of yielding
 * garbage credentials.
 */
export class CredentialsCipher {
  #key: Buffer

  constructor(base64Key: string) {
    const key = Buffer.from(base64Key, 'base64')
    if (key.length !== 32) {
      throw new CredentialsKeyError('CREDENTIALS_KEY must be 32 bytes, base64-encoded')
    }
    this.#key = key
  }

  encrypt(credentials: Record<string, unknown>): string {
    const iv = randomBytes(12)
    const cipher = createCipheriv(ALGORITHM, this.#key, iv)
    const ciphertext = Buffer.concat([
      cipher.update(JSON.stringify(credentials), 'utf8'),
      cipher.final(),
    ])
    return [VERSION, iv, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.')
  }

  decrypt<T = Record<string, unknown>>(sealed: string): T {
    const [version, iv, tag, ciphertext] = sealed.split('.')
    if (version !== VERSION || !iv || !tag || ciphertext === undefined) {
      throw new CredentialsKeyError('stored credentials are not in a known format')
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, this.#key, Buffer.from(iv, 'base64url'))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      const plaintext = Buffer.concat([
        decipher.update(Buffer.from(ciphertext, 'base64url')),
        decipher.final(),
      ])
      return JSON.parse(plaintext.toString('utf8')) as T
    } catch {
      throw new CredentialsKeyError(
        'stored credentials cannot be decrypted: CREDENTIALS_KEY is not the key they were sealed with'
      )
    }
  }
}

/** The last four characters of a secret, for display: "…a1b2". */
export function maskSecret(secret: string) {
  return secret.length <= 4 ? '…' : `…${secret.slice(-4)}`
}
