import db from '@adonisjs/lucid/services/db'
import type { AuditActor, AuditLog } from '#messaging/audit/audit_log'
import type { CredentialsCipher } from '#messaging/accounts/credentials_cipher'
import {
  SEALED_COLUMNS,
  sealedRow,
  type SealedColumn,
} from '#messaging/accounts/credentials_columns'
import { openStored, storedValues, type StoredValue } from '#messaging/accounts/credentials_store'

/** How often the values changed between read and write are read again before the run gives up on them */
const ROUNDS = 5

export interface RotationCounts {
  /** Re-encrypted under the current key */
  rotated: number
  /** Already under the current key */
  alreadyCurrent: number
  /** Changed by someone else between read and write: read again rather than overwritten */
  changedMeanwhile: number
}

export interface RotationReport extends RotationCounts {
  currentKeyId: string
  /** By sealed column (`table.column`) */
  columns: Record<string, RotationCounts>
  /** How many re-encrypted values each old key (`v1` for the legacy format) held */
  fromKeys: Record<string, number>
  /** Values no key of the ring opens: the rotation is incomplete */
  unreadable: Array<{ column: string; id: string }>
  /** Values still changing after every round: run the rotation again */
  leftChanging: number
  /** The previous keys no stored value needs any more once the run is complete */
  removableKeyIds: string[]
}

/**
 * `credentials:rotate-key`: moves every sealed value that is not under the
 * current key (or is in the legacy v1 format) under it, batch by batch. Each
 * write is conditional on the value being the one read, so an edit made
 * meanwhile (through the API, sealed under the current key) is never
 * overwritten; running it again re-encrypts nothing. The plaintext does not
 * change, so neither does `updated_at`, and nothing built from it (cached
 * accounts, gateways) is rebuilt.
 */
export class CredentialsRotation {
  constructor(
    private cipher: CredentialsCipher,
    private audit: AuditLog,
    private batchSize = 500
  ) {}

  async run(actor: AuditActor): Promise<RotationReport> {
    const report = this.newReport()
    for (const sealed of SEALED_COLUMNS) {
      for await (const values of storedValues(sealed, this.batchSize)) {
        await this.rotate(sealed, values, report)
      }
    }
    if (report.unreadable.length > 0 || report.leftChanging > 0) report.removableKeyIds = []
    if (report.rotated > 0) {
      const { unreadable, removableKeyIds, ...counts } = report
      await this.audit.record({
        tenantId: null,
        actor,
        action: 'credentials.key_rotated',
        targetType: 'credentials_key',
        targetId: report.currentKeyId,
        after: { ...counts, unreadable: unreadable.length, removableKeyIds },
      })
    }
    return report
  }

  /**
   * Re-encrypts these values, read earlier, under the current key. A value
   * changed since it was read is read again and, if still not under the
   * current key, re-encrypted from what it now is.
   */
  async rotate(sealed: SealedColumn, values: StoredValue[], report: RotationReport) {
    const counts = (report.columns[columnName(sealed)] ??= emptyCounts())
    let pending = values
    for (let round = 0; round < ROUNDS && pending.length > 0; round++) {
      const changes = this.#reseal(sealed, pending, report, counts)
      const written = await writeIfUnchanged(sealed, changes)
      const changed: string[] = []
      for (const change of changes) {
        if (!written.has(change.id)) {
          changed.push(change.id)
          count(report, counts, 'changedMeanwhile')
          continue
        }
        count(report, counts, 'rotated')
        report.fromKeys[change.fromKey] = (report.fromKeys[change.fromKey] ?? 0) + 1
      }
      pending = await readAgain(sealed, changed)
    }
    report.leftChanging += pending.length
  }

  #reseal(
    sealed: SealedColumn,
    values: StoredValue[],
    report: RotationReport,
    counts: RotationCounts
  ) {
    const changes: Array<{ id: string; old: string; sealed: string; fromKey: string }> = []
    for (const value of values) {
      if (this.cipher.isCurrent(value.sealed)) {
        count(report, counts, 'alreadyCurrent')
        continue
      }
      let plaintext: Record<string, unknown>
      try {
        plaintext = openStored(this.cipher, sealed, value)
      } catch {
        // The sandbox's own configs are sealed anew by the sandbox
        if (!value.mayBeUnreadable) report.unreadable.push({ column: sealed.label, id: value.id })
        continue
      }
      const { keyId, version } = this.cipher.header(value.sealed)
      changes.push({
        id: value.id,
        old: value.sealed,
        sealed: this.cipher.encrypt(plaintext, sealedRow(sealed, value)),
        fromKey: keyId ?? version,
      })
    }
    return changes
  }

  /** A report with nothing counted yet, for rotate() */
  newReport(): RotationReport {
    return {
      ...emptyCounts(),
      currentKeyId: this.cipher.currentKeyId,
      columns: {},
      fromKeys: {},
      unreadable: [],
      leftChanging: 0,
      removableKeyIds: this.cipher.previousKeyIds,
    }
  }
}

function emptyCounts(): RotationCounts {
  return { rotated: 0, alreadyCurrent: 0, changedMeanwhile: 0 }
}

function count(report: RotationReport, counts: RotationCounts, what: keyof RotationCounts) {
  report[what]++
  counts[what]++
}

function columnName(sealed: SealedColumn) {
  return `${sealed.table}.${sealed.column}`
}

/** One UPDATE for the batch, each row written only if it still holds the value read; the ids written */
async function writeIfUnchanged(
  sealed: SealedColumn,
  changes: Array<{ id: string; old: string; sealed: string }>
) {
  if (changes.length === 0) return new Set<string>()
  const result = await db.rawQuery(
    `UPDATE ${sealed.table} AS t SET ${sealed.column} = v.sealed
     FROM (VALUES ${changes.map(() => `(?::${sealed.idType ?? 'uuid'}, ?, ?)`).join(', ')}) AS v(id, old, sealed)
     WHERE t.id = v.id AND t.${sealed.column} = v.old
     RETURNING t.id`,
    changes.flatMap((change) => [change.id, change.old, change.sealed])
  )
  return new Set<string>(result.rows.map((row: { id: string | number }) => String(row.id)))
}

/** The current values of these rows (a deleted row is gone) */
async function readAgain(sealed: SealedColumn, ids: string[]) {
  if (ids.length === 0) return []
  const values: StoredValue[] = []
  for await (const batch of storedValues(sealed, ids.length, ids)) values.push(...batch)
  return values
}
