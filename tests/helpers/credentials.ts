import { createCipheriv, randomBytes } from 'node:crypto'
import app from '@adonisjs/core/services/app'
import type { MessagingConfig } from '#config/messaging'
import type { CredentialsCipher } from '#messaging/accounts/credentials_cipher'
import { SEALED_COLUMNS } from '#messaging/accounts/credentials_columns'
import { openStored, storedValues } from '#messaging/accounts/credentials_store'

/** The CREDENTIALS_KEY of the test process: what the API seals with */
export function testCredentialsKey() {
  return app.config.get<MessagingConfig>('messaging').credentialsKey
}

/** A value as sealed before key ids: `v1.<iv>.<tag>.<ciphertext>`, no additional data */
export function legacySeal(base64Key: string, value: Record<string, unknown>) {
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(base64Key, 'base64'), iv)
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()])
  return ['v1', iv, cipher.getAuthTag(), ciphertext]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.')
}

/** How many stored values (of every sealed column) this cipher opens, and how many there are */
export async function storedValuesOpenedBy(cipher: CredentialsCipher) {
  let opened = 0
  let total = 0
  for (const sealed of SEALED_COLUMNS) {
    for await (const values of storedValues(sealed)) {
      for (const value of values) {
        total++
        try {
          openStored(cipher, sealed, value)
          opened++
        } catch {}
      }
    }
  }
  return { opened, total }
}
