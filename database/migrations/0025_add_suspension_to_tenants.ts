import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * When and why a tenant was suspended (the workers space out their retries
 * of its waiting messages by how long the suspension has lasted), and an
 * index for the workers' poll of tenants changed since their last look.
 */
export default class extends BaseSchema {
  protected tableName = 'tenants'

  async up() {
    this.schema.alterTable(this.tableName, (table) => {
      table.timestamp('suspended_at', { useTz: true }).nullable()
      table.text('suspension_reason').nullable()
      table.index(['updated_at'], 'tenants_updated_at_index')
    })
  }

  async down() {
    this.schema.alterTable(this.tableName, (table) => {
      table.dropIndex(['updated_at'], 'tenants_updated_at_index')
      table.dropColumn('suspension_reason')
      table.dropColumn('suspended_at')
    })
  }
}
