import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The audit log: one row per change a tenant or operator made. Append-only:
 * a trigger refuses UPDATE and DELETE, except inside a recipient erasure
 * (`SET LOCAL switchboard.erasure = 'on'`), which may only redact.
 */
export default class extends BaseSchema {
  protected tableName = 'audit_entries'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.uuid('tenant_id').nullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.text('actor_type').notNullable()
      table.text('actor_id').notNullable()
      table.text('action').notNullable()
      table.text('target_type').notNullable()
      table.text('target_id').nullable()
      table.jsonb('before').nullable()
      table.jsonb('after').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['tenant_id', 'id'])
    })
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('switchboard.erasure', true) = 'on' THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION 'audit_entries is append-only (% refused)', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END;
      $$ LANGUAGE plpgsql;
      CREATE TRIGGER audit_entries_append_only BEFORE UPDATE OR DELETE ON audit_entries
        FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only();
    `)
  }

  async down() {
    this.schema.dropTable(this.tableName)
    this.schema.raw('DROP FUNCTION IF EXISTS audit_entries_append_only()')
  }
}
