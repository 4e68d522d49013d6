import db from '@adonisjs/lucid/services/db'
import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/** The name the archive's advisory lock is keyed by (hashtextextended of it) */
export const ARCHIVE_LOCK = 'switchboard.archive'

/**
 * Takes the archive's lock until `trx` ends. Whatever changes the archive
 * files holds it: an archiver batch from staging to the rename into the day
 * folder, and an erasure while it rewrites files. Without it two erasures
 * rewriting one file keep only the last one's redaction, and an erasure
 * reading the day folders misses a file the archiver moves in after.
 */
export async function lockArchive(trx: TransactionClientContract) {
  await trx.rawQuery('SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [ARCHIVE_LOCK])
}

/** Runs `work` holding the archive's lock (on a connection of its own), released once it ends. */
export async function withArchiveLock<T>(work: () => Promise<T>): Promise<T> {
  return db.transaction(async (trx) => {
    await lockArchive(trx)
    return work()
  })
}
