import { BaseSchema } from '@adonisjs/lucid/schema'
import { CHANNELS } from '#enums/channel'

/**
 * A gateway's health as last persisted from its rolling window in Redis.
 */
export default class extends BaseSchema {
  protected tableName = 'channel_health'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.text('gateway_key').notNullable().unique()
      table.text('gateway').notNullable()
      table
        .uuid('provider_config_id')
        .nullable()
        .references('id')
        .inTable('provider_configs')
        .onDelete('CASCADE')
      table.text('channel').notNullable().checkIn(CHANNELS)
      table.decimal('score', 5, 4).notNullable().defaultTo(1)
      table
        .text('circuit_state')
        .notNullable()
        .defaultTo('closed')
        .checkIn(['closed', 'open', 'half_open'])
      table.integer('consecutive_failures').notNullable().defaultTo(0)
      table.bigInteger('success_count').notNullable().defaultTo(0)
      table.bigInteger('failure_count').notNullable().defaultTo(0)
      table.integer('avg_latency_ms').nullable()
      table.timestamp('last_success_at', { useTz: true }).nullable()
      table.timestamp('last_failure_at', { useTz: true }).nullable()
      table.timestamp('circuit_opened_at', { useTz: true }).nullable()
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
