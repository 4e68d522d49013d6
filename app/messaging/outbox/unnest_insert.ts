import type { TransactionClientContract } from '@adonisjs/lucid/types/database'

/** A column and its PostgreSQL type, in the order of the INSERT. */
export type UnnestColumn = readonly [name: string, type: string]

/**
 * A multi-row INSERT with one array parameter per column
 * (`INSERT … SELECT * FROM unnest($1::uuid[], $2::text[], …)`): a statement
 * of 1,000 rows binds 20 parameters instead of 20,000, which spares the query
 * builder and the driver most of their work per row. `suffix` adds an
 * ON CONFLICT or RETURNING clause.
 */
export async function unnestInsert(
  trx: TransactionClientContract,
  table: string,
  columns: readonly UnnestColumn[],
  rows: Array<Record<string, unknown>>,
  suffix = ''
) {
  const names = columns.map(([name]) => name).join(', ')
  const arrays = columns.map(([, type]) => `?::${type}[]`).join(', ')
  const result = await trx.rawQuery(
    `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays}) ${suffix}`,
    // Arrays with nulls and Dates in them: pg serializes them, knex's types do not list them
    columns.map(([name]) => rows.map((row) => row[name] ?? null)) as unknown as string[][]
  )
  return result.rows as Array<Record<string, unknown>>
}
