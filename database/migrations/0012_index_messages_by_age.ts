import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * comms:archive walks messages oldest first (created_at, id) in batches; without
 * this index every batch would scan the whole table.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw('CREATE INDEX messages_age_idx ON messages (created_at, id)')
  }

  async down() {
    this.schema.raw('DROP INDEX IF EXISTS messages_age_idx')
  }
}
