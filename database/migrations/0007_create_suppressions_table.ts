import { BaseSchema } from '@adonisjs/lucid/schema'
import { CHANNELS } from '#enums/channel'
import { SUPPRESSION_REASONS } from '#enums/suppression_reason'

/**
 * Addresses never to send to: tenant_id null means every tenant.
 */
export default class extends BaseSchema {
  protected tableName = 'suppressions'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.uuid('tenant_id').nullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.text('channel').notNullable().checkIn(CHANNELS)
      table.text('recipient').notNullable()
      table.text('reason').notNullable().checkIn(SUPPRESSION_REASONS)
      table.text('source').nullable()
      table.jsonb('details').nullable()
      table.timestamp('expires_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
    })

    this.schema.raw(`
      ALTER TABLE suppressions ADD CONSTRAINT suppressions_scope_uq
        UNIQUE NULLS NOT DISTINCT (tenant_id, channel, recipient);
      CREATE INDEX suppressions_lookup_idx ON suppressions (channel, recipient);
    `)
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
