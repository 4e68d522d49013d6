import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The append-only event log. UPDATE is always refused; DELETE only inside a
 * transaction that declares itself an archive run
 * (SET LOCAL switchboard.archiving = 'on'), so cold storage can move old rows
 * out and nothing else can rewrite history.
 */
export default class extends BaseSchema {
  protected tableName = 'delivery_events'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.bigIncrements('id')
      table.uuid('message_id').nullable().references('id').inTable('messages').onDelete('CASCADE')
      table.uuid('tenant_id').nullable()
      table.text('type').notNullable()
      table.text('source').notNullable().defaultTo('internal')
      table.text('gateway').nullable()
      table.text('provider_event_id').nullable()
      table.text('provider_message_id').nullable()
      table.text('reason').nullable()
      table.jsonb('details').nullable()
      table.jsonb('payload').nullable()
      table.timestamp('occurred_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['message_id', 'id'])
    })

    this.schema.raw(`
      CREATE UNIQUE INDEX delivery_events_provider_event_uq ON delivery_events (source, provider_event_id)
        WHERE provider_event_id IS NOT NULL;
      CREATE INDEX delivery_events_orphans_idx ON delivery_events (provider_message_id)
        WHERE message_id IS NULL;
      CREATE INDEX delivery_events_created_idx ON delivery_events (created_at);

      CREATE OR REPLACE FUNCTION delivery_events_append_only() RETURNS trigger AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND current_setting('switchboard.archiving', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'delivery_events is append-only: % refused', TG_OP
          USING ERRCODE = 'integrity_constraint_violation';
      END
      $$ LANGUAGE plpgsql;

      CREATE TRIGGER delivery_events_append_only BEFORE UPDATE OR DELETE ON delivery_events
        FOR EACH ROW EXECUTE FUNCTION delivery_events_append_only();
    `)
  }

  async down() {
    this.schema.dropTable(this.tableName)
    this.schema.raw('DROP FUNCTION IF EXISTS delivery_events_append_only()')
  }
}
