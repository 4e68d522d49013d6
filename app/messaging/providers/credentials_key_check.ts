import type { Logger } from '@adonisjs/core/logger'
import db from '@adonisjs/lucid/services/db'
import {
  CredentialsKeyError,
  type CredentialsCipher,
} from '#messaging/providers/credentials_cipher'

/**
 * Proves at start-up that CREDENTIALS_KEY opens the stored provider configs,
 * so a process with the wrong key stops at once instead of failing (or
 * sending with garbage) later, one message at a time. Provider configs are
 * few: every real one is decrypted.
 */
export async function assertCredentialsKeyOpensStoredConfigs(
  cipher: CredentialsCipher,
  logger: Logger
) {
  let rows: Array<{ id: string; encrypted_config: string }>
  try {
    // Before the first migration there is nothing to check
    if (!(await db.connection().schema.hasTable('provider_configs'))) return
    // The sandbox's own configs hold no real secret and are sealed anew each
    // time it starts: a fresh clone's new key must not lock them (and it) out.
    rows = await db
      .from('provider_configs')
      .select('id', 'encrypted_config')
      .whereRaw(`NOT (metadata @> '{"sandbox": true}')`)
  } catch (error) {
    // An unreachable database is reported where it is needed (/ready, the
    // worker's claim); it must not keep the process from starting.
    logger.warn({ err: error }, 'could not read provider configs to verify CREDENTIALS_KEY')
    return
  }

  for (const row of rows) {
    try {
      cipher.decrypt(row.encrypted_config)
    } catch {
      throw new CredentialsKeyError(
        `CREDENTIALS_KEY cannot decrypt the stored credentials of provider config ${row.id}: ` +
          'it is not the key they were sealed with. Start with the original CREDENTIALS_KEY.'
      )
    }
  }
}
