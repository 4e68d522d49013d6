import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * A message accepted with a test key runs the whole pipeline without any
 * vendor call, and says so wherever it shows. Whether it is a test is part
 * of the immutable log: it can never turn into a live message, nor back.
 * Its guard is a trigger of its own beside messages_immutable_columns (as
 * 0011's for conversation_id), so a later rewrite of that function cannot
 * leave the column out.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.alterTable('messages', (table) => {
      table.boolean('is_test').notNullable().defaultTo(false)
    })
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION messages_test_immutable() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'messages are immutable: is_test is set at insert only'
          USING ERRCODE = 'integrity_constraint_violation';
      END
      $$ LANGUAGE plpgsql;

      CREATE TRIGGER messages_test_immutable BEFORE UPDATE OF is_test ON messages
        FOR EACH ROW WHEN (NEW.is_test IS DISTINCT FROM OLD.is_test)
        EXECUTE FUNCTION messages_test_immutable();
    `)
  }

  async down() {
    this.schema.raw(`
      DROP TRIGGER IF EXISTS messages_test_immutable ON messages;
      DROP FUNCTION IF EXISTS messages_test_immutable();
    `)
    this.schema.alterTable('messages', (table) => {
      table.dropColumn('is_test')
    })
  }
}
