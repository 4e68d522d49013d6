import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Tenant webhook events become durable: the delivery event a tenant's
 * endpoint subscribed to puts a row in webhook_outbox in the very statement
 * that appends it to delivery_events, so a crash after the commit cannot lose
 * it. The webhooks worker hands the outbox to the queue and deletes what it
 * handed. The trigger is per statement over its transition table: a batch of
 * provider callbacks costs one join, not a query per event.
 *
 * The event id tenants see becomes the delivery event's id (a number as
 * text), and an endpoint is disabled after failing for a sustained time,
 * counted from `failing_since` (reset by any success).
 *
 * A disabled endpoint still gets its rows: the worker records each event as
 * a failed `endpoint_disabled` attempt instead of sending it, so a replay
 * after re-enabling finds what it missed. An event waits at most once per
 * endpoint (the unique index), so concurrent replays cannot queue it twice.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('webhook_outbox', (table) => {
      table.bigIncrements('id')
      table
        .uuid('endpoint_id')
        .notNullable()
        .references('id')
        .inTable('webhook_endpoints')
        .onDelete('CASCADE')
      // No foreign key: comms:archive may move the event out before it is handed over
      table.bigInteger('delivery_event_id').notNullable()
      table.text('event_type').notNullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['endpoint_id', 'delivery_event_id'])
    })

    this.schema.alterTable('webhook_endpoints', (table) => {
      table.timestamp('failing_since', { useTz: true }).nullable()
    })

    this.schema.raw(`
      ALTER TABLE webhook_deliveries ALTER COLUMN event_id TYPE text;
      CREATE INDEX webhook_deliveries_endpoint_event_idx ON webhook_deliveries (endpoint_id, event_id, id);

      CREATE OR REPLACE FUNCTION delivery_events_to_webhook_outbox() RETURNS trigger AS $$
      BEGIN
        INSERT INTO webhook_outbox (endpoint_id, delivery_event_id, event_type)
        SELECT endpoint.id, event.id, kind.event_type
          FROM appended event
          JOIN (VALUES ('delivered', 'message.delivered'),
                       ('opened', 'message.opened'),
                       ('clicked', 'message.clicked'),
                       ('bounced', 'message.bounced'),
                       ('soft_bounced', 'message.bounced'),
                       ('complained', 'message.complained'),
                       ('failed', 'message.failed')) AS kind (type, event_type)
            ON kind.type = event.type
          JOIN webhook_endpoints endpoint
            ON endpoint.tenant_id = event.tenant_id
           AND endpoint.event_types @> jsonb_build_array(kind.event_type)
         WHERE event.message_id IS NOT NULL
         ORDER BY event.id;
        RETURN NULL;
      END
      $$ LANGUAGE plpgsql;

      CREATE TRIGGER delivery_events_webhook_outbox AFTER INSERT ON delivery_events
        REFERENCING NEW TABLE AS appended
        FOR EACH STATEMENT EXECUTE FUNCTION delivery_events_to_webhook_outbox();
    `)
  }

  async down() {
    this.schema.raw(`
      DROP TRIGGER IF EXISTS delivery_events_webhook_outbox ON delivery_events;
      DROP FUNCTION IF EXISTS delivery_events_to_webhook_outbox();
      DROP INDEX IF EXISTS webhook_deliveries_endpoint_event_idx;
    `)
    this.schema.alterTable('webhook_endpoints', (table) => {
      table.dropColumn('failing_since')
    })
    this.schema.dropTable('webhook_outbox')
  }
}
