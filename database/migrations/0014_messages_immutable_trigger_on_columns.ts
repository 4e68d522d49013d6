import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The immutability trigger fired on every UPDATE of a message and compared
 * 19 columns (content and metadata jsonb among them) even though a worker
 * only ever sets delivery columns: a large share of the database's CPU per
 * send. `UPDATE OF` fires it only when a statement sets one of the immutable
 * columns, which is exactly when it has something to refuse.
 */
const IMMUTABLE_COLUMNS = [
  'id',
  'tenant_id',
  'direction',
  'channel',
  'priority',
  'message_type',
  'recipient',
  'recipient_domain',
  'subject',
  'content',
  'idempotency_key',
  'request_hash',
  'scheduled_at',
  'source_type',
  'source_id',
  'parent_message_id',
  'fallback',
  'metadata',
  'created_at',
].join(', ')

export default class extends BaseSchema {
  async up() {
    this.schema.raw(`
      DROP TRIGGER messages_immutable_columns ON messages;
      CREATE TRIGGER messages_immutable_columns BEFORE UPDATE OF ${IMMUTABLE_COLUMNS} ON messages
        FOR EACH ROW EXECUTE FUNCTION messages_immutable_columns();
    `)
  }

  async down() {
    this.schema.raw(`
      DROP TRIGGER messages_immutable_columns ON messages;
      CREATE TRIGGER messages_immutable_columns BEFORE UPDATE ON messages
        FOR EACH ROW EXECUTE FUNCTION messages_immutable_columns();
    `)
  }
}
