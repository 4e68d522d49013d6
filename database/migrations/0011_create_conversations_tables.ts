import { BaseSchema } from '@adonisjs/lucid/schema'
import { CHANNELS } from '#enums/channel'

/**
 * Inbound messages and the threads they start: a contact is one address on
 * one channel of one tenant (stored in recipient_rules' normal form), a
 * conversation is the thread with it. Inbound and reply messages point at
 * their conversation; like every message column but the delivery ones, the
 * link is written at insert and never changed.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.createTable('contacts', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table.text('channel').notNullable().checkIn(CHANNELS)
      table.text('address').notNullable()
      table.text('display_name').nullable()
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.unique(['tenant_id', 'channel', 'address'])
    })

    this.schema.createTable('conversations', (table) => {
      table.uuid('id').primary().defaultTo(this.raw('gen_random_uuid()'))
      table.uuid('tenant_id').notNullable().references('id').inTable('tenants').onDelete('CASCADE')
      table
        .uuid('contact_id')
        .notNullable()
        .references('id')
        .inTable('contacts')
        .onDelete('CASCADE')
      table.text('channel').notNullable().checkIn(CHANNELS)
      table.text('status').notNullable().defaultTo('open').checkIn(['open', 'resolved'])
      table.timestamp('last_message_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(this.now())
      table.index(['tenant_id', 'last_message_at'])
      table.index(['contact_id', 'last_message_at'])
    })

    this.schema.raw(`
      ALTER TABLE messages ADD COLUMN conversation_id uuid NULL REFERENCES conversations (id);
      CREATE INDEX messages_conversation_idx ON messages (conversation_id, created_at)
        WHERE conversation_id IS NOT NULL;
      -- A provider retrying an inbound delivery must not store it twice
      CREATE UNIQUE INDEX messages_inbound_provider_id_uq
        ON messages (tenant_id, gateway, provider_message_id)
        WHERE direction = 'inbound';

      -- Kept beside messages_immutable_columns (0005) rather than rewriting it
      CREATE OR REPLACE FUNCTION messages_conversation_immutable() RETURNS trigger AS $$
      BEGIN
        RAISE EXCEPTION 'messages are immutable: conversation_id is set at insert only'
          USING ERRCODE = 'integrity_constraint_violation';
      END
      $$ LANGUAGE plpgsql;

      CREATE TRIGGER messages_conversation_immutable BEFORE UPDATE OF conversation_id ON messages
        FOR EACH ROW WHEN (NEW.conversation_id IS DISTINCT FROM OLD.conversation_id)
        EXECUTE FUNCTION messages_conversation_immutable();
    `)
  }

  async down() {
    this.schema.raw(`
      DROP TRIGGER IF EXISTS messages_conversation_immutable ON messages;
      DROP FUNCTION IF EXISTS messages_conversation_immutable();
      DROP INDEX IF EXISTS messages_inbound_provider_id_uq;
      ALTER TABLE messages DROP COLUMN IF EXISTS conversation_id;
    `)
    this.schema.dropTable('conversations')
    this.schema.dropTable('contacts')
  }
}
