import { BaseSchema } from '@adonisjs/lucid/schema'
import { CHANNELS } from '#enums/channel'
import { GATEWAY_TYPES } from '#enums/gateway_type'

/**
 * A gateway account: a tenant's own, or the system default when tenant_id is
 * null. The credentials are one AES-256-GCM encrypted JSON blob.
 */
export default class extends BaseSchema {
  protected tableName = 'provider_configs'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.uuid('tenant_id').nullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.text('type').notNullable().checkIn(GATEWAY_TYPES)
      table.text('channel').notNullable().checkIn(CHANNELS)
      table.text('name').notNullable()
      table.integer('priority').notNullable().defaultTo(0)
      table.boolean('enabled').notNullable().defaultTo(true)
      table.text('encrypted_config').notNullable()
      table.text('mask').notNullable()
      table.jsonb('metadata').notNullable().defaultTo('{}')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['tenant_id', 'channel', 'priority'])
    })
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
