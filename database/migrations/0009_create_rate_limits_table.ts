import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Rate-limit counters persisted from Redis, one row per scope, key and window.
 */
export default class extends BaseSchema {
  protected tableName = 'rate_limits'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.text('scope').notNullable().checkIn(['domain', 'gateway', 'tenant'])
      table.text('key').notNullable()
      table.timestamp('window_start', { useTz: true }).notNullable()
      table.integer('window_seconds').notNullable()
      table.integer('limit').nullable()
      table.integer('count').notNullable().defaultTo(0)
      table.integer('deferred').notNullable().defaultTo(0)
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['scope', 'key', 'window_start', 'window_seconds'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
