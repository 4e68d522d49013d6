import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * API keys get a kind (`live` sends for real, `test` runs the pipeline
 * without calling a vendor) and named scopes instead of the catch-all `*`:
 * every key issued before scopes existed could do everything, so it keeps
 * all three.
 */
export default class extends BaseSchema {
  protected tableName = 'api_keys'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.text('kind').notNullable().defaultTo('live')
    })
    this.defer(async (db) => {
      await db
        .from(this.tableName)
        .where('abilities', '["*"]')
        .update({ abilities: JSON.stringify(['send', 'read', 'manage']) })
    })
    this.schema.raw(
      `ALTER TABLE api_keys ADD CONSTRAINT api_keys_kind_check CHECK (kind IN ('live', 'test'))`
    )
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropColumn('kind')
    })
  }
}
