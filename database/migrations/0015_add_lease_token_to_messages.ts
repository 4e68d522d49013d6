import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * The lease token (ARCHITECTURE.md invariant 2): each claim of a message
 * writes a fresh one, and every later write of that attempt matches on it, so
 * a worker whose lease was taken over can no longer record a send or hand the
 * message back. A delivery column, so the immutability trigger (0014) lets
 * it change.
 */
export default class extends BaseSchema {
  protected tableName = 'messages'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.uuid('lease_token').nullable()
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropColumn('lease_token')
    })
  }
}
