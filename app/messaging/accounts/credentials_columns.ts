import type { SealedRow } from '#messaging/accounts/credentials_cipher'

/** A column holding values sealed with the credentials key ring, one per row */
export interface SealedColumn {
  table: string
  column: string
  /** What a row is, in messages: "provider config" */
  label: string
  /**
   * The rows whose value need not open (SQL): they hold no real secret and
   * are sealed anew by their owner, so a key they were left under must not
   * stop a start or a rotation.
   */
  mayBeUnreadable?: string
  /** The SQL type of the table's `id` (default uuid) */
  idType?: 'uuid' | 'bigint'
}

export const PROVIDER_CREDENTIALS: SealedColumn = {
  table: 'provider_configs',
  column: 'encrypted_config',
  label: 'provider config',
  // The sandbox re-seals its own configs each time it starts
  mayBeUnreadable: `metadata @> '{"sandbox": true}'`,
}

export const WEBHOOK_ENDPOINT_SECRET: SealedColumn = {
  table: 'webhook_endpoints',
  column: 'encrypted_secret',
  label: 'webhook endpoint',
}

/** A console user's TOTP secret (null until they enrol) */
export const USER_TOTP_SECRET: SealedColumn = {
  table: 'users',
  column: 'totp_secret',
  label: 'user two-factor secret',
  idType: 'bigint',
}

/** Every sealed column: the start-up check and credentials:rotate-key go through each */
export const SEALED_COLUMNS = [PROVIDER_CREDENTIALS, WEBHOOK_ENDPOINT_SECRET, USER_TOTP_SECRET]

/** The additional authenticated data of a row's value: its column, tenant and id */
export function sealedRow(
  sealed: SealedColumn,
  row: { id: string; tenantId: string | null }
): SealedRow {
  return { column: `${sealed.table}.${sealed.column}`, tenantId: row.tenantId, id: row.id }
}
