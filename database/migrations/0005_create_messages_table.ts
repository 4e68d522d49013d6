import { BaseSchema } from '@adonisjs/lucid/schema'
import { CHANNELS } from '#enums/channel'
import { PRIORITIES } from '#enums/priority'
import { MESSAGE_STATUSES } from '#enums/message_status'

/**
 * The message: an immutable log of one send. After insert only the delivery
 * columns change (status, gateway, provider ids, attempts, times, errors); a
 * trigger refuses changes to anything else.
 */
export default class extends BaseSchema {
  protected tableName = 'messages'

  async up() {
    this.schema.createTable(this.tableName, (table) => {
      table.uuid('id').primary()
      table.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.text('direction').notNullable().defaultTo('outbound').checkIn(['outbound', 'inbound'])
      table.text('channel').notNullable().checkIn(CHANNELS)
      table.text('priority').notNullable().checkIn(PRIORITIES)
      table.text('message_type').notNullable()
      table.text('recipient').notNullable()
      table.text('recipient_domain').nullable()
      table.text('subject').nullable()
      table.jsonb('content').notNullable().defaultTo('{}')
      table.text('status').notNullable().checkIn(MESSAGE_STATUSES)
      table.text('gateway').nullable()
      table
        .uuid('provider_config_id')
        .nullable()
        .references('id')
        .inTable('provider_configs')
        .onDelete('SET NULL')
      table.text('provider_message_id').nullable()
      table.integer('attempts').notNullable().defaultTo(0)
      table.timestamp('next_attempt_at', { useTz: true }).nullable()
      table.timestamp('locked_until', { useTz: true }).nullable()
      table.text('idempotency_key').nullable()
      table.text('request_hash').nullable()
      table.timestamp('scheduled_at', { useTz: true }).nullable()
      table.timestamp('sent_at', { useTz: true }).nullable()
      table.timestamp('delivered_at', { useTz: true }).nullable()
      table.timestamp('opened_at', { useTz: true }).nullable()
      table.timestamp('clicked_at', { useTz: true }).nullable()
      table.timestamp('failed_at', { useTz: true }).nullable()
      table.timestamp('canceled_at', { useTz: true }).nullable()
      table.text('last_error').nullable()
      table.text('last_error_code').nullable()
      table.text('source_type').nullable()
      table.text('source_id').nullable()
      table.uuid('parent_message_id').nullable().references('id').inTable('messages')
      table.jsonb('fallback').nullable()
      table.jsonb('metadata').notNullable().defaultTo('{}')
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())

      table.unique(['tenant_id', 'idempotency_key'])
      table.index(['tenant_id', 'created_at'], 'messages_tenant_listing_idx')
    })

    this.schema.raw(`
      CREATE INDEX messages_provider_message_id_idx ON messages (provider_message_id)
        WHERE provider_message_id IS NOT NULL;
      CREATE INDEX messages_pending_idx ON messages (next_attempt_at)
        WHERE status IN ('scheduled', 'queued');
      CREATE INDEX messages_leased_idx ON messages (locked_until)
        WHERE status = 'sending';
      CREATE INDEX messages_parent_idx ON messages (parent_message_id)
        WHERE parent_message_id IS NOT NULL;

      CREATE OR REPLACE FUNCTION messages_immutable_columns() RETURNS trigger AS $$
      BEGIN
        IF ROW(NEW.id, NEW.tenant_id, NEW.direction, NEW.channel, NEW.priority, NEW.message_type,
               NEW.recipient, NEW.recipient_domain, NEW.subject, NEW.content, NEW.idempotency_key,
               NEW.request_hash, NEW.scheduled_at, NEW.source_type, NEW.source_id,
               NEW.parent_message_id, NEW.fallback, NEW.metadata, NEW.created_at)
           IS DISTINCT FROM
           ROW(OLD.id, OLD.tenant_id, OLD.direction, OLD.channel, OLD.priority, OLD.message_type,
               OLD.recipient, OLD.recipient_domain, OLD.subject, OLD.content, OLD.idempotency_key,
               OLD.request_hash, OLD.scheduled_at, OLD.source_type, OLD.source_id,
               OLD.parent_message_id, OLD.fallback, OLD.metadata, OLD.created_at) THEN
          RAISE EXCEPTION 'messages are immutable: only delivery columns may change'
            USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
      END
      $$ LANGUAGE plpgsql;

      CREATE TRIGGER messages_immutable_columns BEFORE UPDATE ON messages
        FOR EACH ROW EXECUTE FUNCTION messages_immutable_columns();
    `)
  }

  async down() {
    this.schema.dropTable(this.tableName)
    this.schema.raw('DROP FUNCTION IF EXISTS messages_immutable_columns()')
  }
}
