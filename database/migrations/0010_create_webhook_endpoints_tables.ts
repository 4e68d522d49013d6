import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Tenant webhooks out: the endpoints a tenant registered, and one row per
 * delivery attempt to them. The signing secret is a credential: sealed with
 * CREDENTIALS_KEY like provider credentials, with a mask kept for display.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('webhook_endpoints', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.text('url').notNullable()
      table.text('encrypted_secret').notNullable()
      table.text('secret_mask').notNullable()
      table.jsonb('event_types').notNullable().defaultTo('[]')
      table.boolean('enabled').notNullable().defaultTo(true)
      table.integer('consecutive_failures').notNullable().defaultTo(0)
      table.timestamp('disabled_at', { useTz: true }).nullable()
      table.text('disabled_reason').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['tenant_id', 'enabled'])
    })

    this.schema.createTable('webhook_deliveries', (table) => {
      table.bigIncrements('id')
      table
        .uuid('endpoint_id')
        .notNullable()
        .references('id')
        .inTable('webhook_endpoints')
        .onDelete('CASCADE')
      /** The event's id, sent as Idempotency-Key: the same on every attempt */
      table.uuid('event_id').notNullable()
      table.text('event_type').notNullable()
      table.jsonb('payload').notNullable()
      table.integer('attempt').notNullable()
      table.integer('status_code').nullable()
      table.text('error').nullable()
      table.integer('duration_ms').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['endpoint_id', 'id'])
    })
  }

  async down() {
    this.schema.dropTable('webhook_deliveries')
    this.schema.dropTable('webhook_endpoints')
  }
}
