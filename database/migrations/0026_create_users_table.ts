import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * People who sign in to the console. An operator belongs to no tenant and sees
 * every one; everyone else belongs to exactly one tenant with one role there.
 * The TOTP secret is sealed with CREDENTIALS_KEY like a provider's credentials.
 */
export default class extends BaseSchema {
  protected tableName = 'users'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.text('email').notNullable()
      table.text('full_name').nullable()
      table.text('password').notNullable()
      table.text('role').notNullable()
      table.uuid('tenant_id').nullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.text('totp_secret').nullable()
      table.timestamp('totp_enabled_at', { useTz: true }).nullable()
      table.timestamp('disabled_at', { useTz: true }).nullable()
      table.timestamp('last_sign_in_at', { useTz: true }).nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['tenant_id', 'id'])
    })
    this.schema.raw(`CREATE UNIQUE INDEX users_email_unique ON users (lower(email))`)
    this.schema.raw(`
      ALTER TABLE users ADD CONSTRAINT users_role_check
        CHECK (role IN ('operator', 'admin', 'agent', 'viewer')),
      ADD CONSTRAINT users_tenant_by_role_check
        CHECK ((role = 'operator') = (tenant_id IS NULL))
    `)
  }

  async down() {
    this.schema.dropTable(this.tableName)
  }
}
