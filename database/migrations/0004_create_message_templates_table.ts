import { BaseSchema } from '@adonisjs/lucid/schema'
import { CHANNELS } from '#enums/channel'

/**
 * Versioned templates per tenant, channel and locale: a new version is a new
 * row, so messages that name a version keep rendering what they were sent with.
 */
export default class extends BaseSchema {
  protected tableName = 'message_templates'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.text('name').notNullable()
      table.text('channel').notNullable().checkIn(CHANNELS)
      table.text('locale').notNullable().defaultTo('en')
      table.integer('version').notNullable().defaultTo(1)
      table.text('subject').nullable()
      table.text('html').nullable()
      table.text('text').nullable()
      table.jsonb('required_variables').notNullable().defaultTo('[]')
      table.boolean('active').notNullable().defaultTo(true)
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['tenant_id', 'name', 'channel', 'locale', 'version'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
