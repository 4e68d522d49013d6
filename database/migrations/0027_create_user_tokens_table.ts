import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Links sent to people: invites (a tenant admin asks someone to join) and
 * password resets. Only the SHA-256 of a link's token is kept; each token is
 * used once (used_at) and only before expires_at. `user_id` is the account a
 * reset is for (null for an invite: its account does not exist yet).
 *
 * `users.totp_last_step`: the last TOTP time step a user's code was accepted
 * for, so a code cannot be used twice.
 */
export default class extends BaseSchema {
  protected tableName = 'user_tokens'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.text('kind').notNullable()
      table.text('token_hash').notNullable().unique()
      table.bigInteger('user_id').nullable().references('id').inTable('users').onDelete('CASCADE')
      table.uuid('tenant_id').nullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.text('email').notNullable()
      table.text('role').nullable()
      table.timestamp('expires_at', { useTz: true }).notNullable()
      table.timestamp('used_at', { useTz: true }).nullable()
      table
        .bigInteger('created_by_user_id')
        .nullable()
        .references('id')
        .inTable('users')
        .onDelete('SET NULL')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      // A tenant's pending invites, newest first
      table.index(['tenant_id', 'kind', 'created_at'])
    })
    this.schema.raw(`
      ALTER TABLE user_tokens ADD CONSTRAINT user_tokens_kind_check
        CHECK (kind IN ('invite', 'password_reset')),
      ADD CONSTRAINT user_tokens_invite_check
        CHECK (kind <> 'invite' OR (tenant_id IS NOT NULL AND role IN ('admin', 'agent', 'viewer'))),
      ADD CONSTRAINT user_tokens_reset_check
        CHECK (kind <> 'password_reset' OR user_id IS NOT NULL)
    `)
    this.schema.alterTable('users', (table) => {
      table.bigInteger('totp_last_step').nullable()
    })
  }

  async down() {
    this.schema.alterTable('users', (table) => {
      table.dropColumn('totp_last_step')
    })
    this.schema.dropTable(this.tableName)
  }
}
