import type { Logger } from '@adonisjs/core/logger'
import db from '@adonisjs/lucid/services/db'
import { CredentialsKeyError, type CredentialsCipher } from '#messaging/accounts/credentials_cipher'
import { SEALED_COLUMNS, type SealedColumn } from '#messaging/accounts/credentials_columns'
import { openStored, storedValues, type StoredValue } from '#messaging/accounts/credentials_store'

/**
 * Proves at start-up that the key ring (CREDENTIALS_KEY and
 * CREDENTIALS_PREVIOUS_KEYS) opens every stored credential, so a process with
 * the wrong key stops at once instead of failing (or sending with garbage)
 * later, one message at a time. Sealed values are few: every one is opened.
 * Values left under a previous key or in the legacy format are reported, with
 * the command that moves them under CREDENTIALS_KEY.
 */
export async function assertCredentialsKeyOpensStoredConfigs(
  cipher: CredentialsCipher,
  logger: Logger
) {
  let notCurrent = 0
  try {
    // Before the first migration there is nothing to check
    if (!(await db.connection().schema.hasTable('provider_configs'))) return
    for (const sealed of SEALED_COLUMNS) {
      for await (const values of storedValues(sealed)) {
        for (const value of values) {
          if (!opens(cipher, sealed, value)) {
            if (value.mayBeUnreadable) continue
            throw new CredentialsKeyError(
              `CREDENTIALS_KEY cannot decrypt the stored credentials of ${sealed.label} ${value.id}: ` +
                'it is not the key they were sealed with, nor is any of CREDENTIALS_PREVIOUS_KEYS. ' +
                'Start with the original key as CREDENTIALS_KEY or in CREDENTIALS_PREVIOUS_KEYS.'
            )
          }
          if (!cipher.isCurrent(value.sealed)) notCurrent++
        }
      }
    }
  } catch (error) {
    if (error instanceof CredentialsKeyError) throw error
    // An unreachable database is reported where it is needed (/ready, the
    // worker's claim); it must not keep the process from starting.
    logger.warn({ err: error }, 'could not read stored credentials to verify CREDENTIALS_KEY')
    return
  }
  if (notCurrent > 0) {
    logger.warn(
      `${notCurrent} stored credentials are sealed under a previous key or in the legacy v1 format: ` +
        `run "node ace credentials:rotate-key" to re-encrypt them under CREDENTIALS_KEY (key ${cipher.currentKeyId})`
    )
  }
}

function opens(cipher: CredentialsCipher, sealed: SealedColumn, value: StoredValue) {
  try {
    openStored(cipher, sealed, value)
    return true
  } catch {
    return false
  }
}
