import db from '@adonisjs/lucid/services/db'
import type { CredentialsCipher } from '#messaging/accounts/credentials_cipher'
import { sealedRow, type SealedColumn } from '#messaging/accounts/credentials_columns'

/** One row's sealed value, as read from its column */
export interface StoredValue {
  id: string
  tenantId: string | null
  sealed: string
  /** The row is one whose value need not open (SealedColumn.mayBeUnreadable) */
  mayBeUnreadable: boolean
}

/**
 * Every value of a sealed column (or of the rows with these ids), in batches
 * ordered by id: a table of any size in bounded memory.
 */
export async function* storedValues(sealed: SealedColumn, batchSize = 500, ids?: string[]) {
  let after: string | null = null
  for (;;) {
    const rows: Array<Record<string, unknown>> = await db
      .from(sealed.table)
      .select('id', 'tenant_id', `${sealed.column} as sealed`)
      .select(db.raw(`(${sealed.mayBeUnreadable ?? 'false'}) as may_be_unreadable`))
      // A nullable column (a user's TOTP secret) has no value to open in some rows
      .whereNotNull(sealed.column)
      .if(ids, (query) => query.whereIn('id', ids!))
      .if(after, (query) => query.where('id', '>', after!))
      .orderBy('id')
      .limit(batchSize)
    if (rows.length === 0) return
    yield rows.map(
      (row): StoredValue => ({
        id: String(row.id),
        tenantId: row.tenant_id as string | null,
        sealed: row.sealed as string,
        mayBeUnreadable: row.may_be_unreadable === true,
      })
    )
    after = rows[rows.length - 1].id as string
  }
}

/** The value opened with the key ring, bound to its row; throws CredentialsKeyError when it does not open */
export function openStored(cipher: CredentialsCipher, sealed: SealedColumn, value: StoredValue) {
  return cipher.decrypt(value.sealed, sealedRow(sealed, value))
}
