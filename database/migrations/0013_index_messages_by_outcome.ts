import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * GET /api/v1/messages/stats/channels counts a tenant's messages sent,
 * delivered or failed in the last 7 days: one range over the latest of the
 * three times finds them, which neither created_at (a scheduled message is
 * sent long after) nor three separate indexes would do as cheaply.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw(
      `CREATE INDEX messages_tenant_outcome_idx
         ON messages (tenant_id, (GREATEST(sent_at, delivered_at, failed_at)))`
    )
  }

  async down() {
    this.schema.raw('DROP INDEX IF EXISTS messages_tenant_outcome_idx')
  }
}
