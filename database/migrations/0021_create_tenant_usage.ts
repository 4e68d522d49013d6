import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Quota counters: how many messages a tenant had accepted in a UTC day or
 * month, per channel and for all channels together (`all`), its live and
 * test keys counted apart. A counter is taken in the transaction that
 * inserts the messages, by an upsert that only adds while the sum stays
 * within the quota: the row lock serialises concurrent takers, so a quota
 * is never overshot, and a rolled-back send gives its count back.
 */
export default class extends BaseSchema {
  protected tableName = 'tenant_usage'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.text('mode').notNullable()
      table.text('channel').notNullable()
      table.text('period').notNullable()
      table.date('period_start').notNullable()
      table.integer('count').notNullable().defaultTo(0)
      table.primary(['tenant_id', 'mode', 'period', 'period_start', 'channel'])
    })
    this.schema.raw(`
      ALTER TABLE tenant_usage
        ADD CONSTRAINT tenant_usage_mode_check CHECK (mode IN ('live', 'test')),
        ADD CONSTRAINT tenant_usage_period_check CHECK (period IN ('day', 'month')),
        ADD CONSTRAINT tenant_usage_count_check CHECK (count >= 0)
    `)
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
