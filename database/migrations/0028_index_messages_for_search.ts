import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * GET /api/v1/messages (and the console's Messages page) lists a tenant's
 * messages newest first, a page at a time on (created_at, id), filtered.
 *
 * - (tenant_id, created_at DESC, id DESC) serves the plain listing, a created
 *   range and every filter that matches many rows: the scan walks the
 *   tenant's newest rows in page order and stops once a page is full. It
 *   replaces 0005's (tenant_id, created_at), of which it is an extension.
 * - The same order behind status and behind channel: a rare status
 *   (failed, canceled) or channel would otherwise walk the tenant's whole
 *   history to fill one page.
 * - A trigram GIN index on recipient answers "contains" (ILIKE '%…%',
 *   case-insensitive) without reading every row; pg_trgm ships with
 *   PostgreSQL (contrib) and is a trusted extension.
 * - GIN on metadata answers "has this key" (`?`) and containment (`@>`).
 * - Messages sent for one of the tenant's own objects (source type and id),
 *   partial: most messages have no source and cost nothing.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;

      CREATE INDEX messages_tenant_recent_idx
        ON messages (tenant_id, created_at DESC, id DESC);
      DROP INDEX messages_tenant_listing_idx;

      CREATE INDEX messages_tenant_status_recent_idx
        ON messages (tenant_id, status, created_at DESC, id DESC);
      CREATE INDEX messages_tenant_channel_recent_idx
        ON messages (tenant_id, channel, created_at DESC, id DESC);
      CREATE INDEX messages_recipient_trgm_idx
        ON messages USING gin (recipient gin_trgm_ops);
      CREATE INDEX messages_metadata_idx
        ON messages USING gin (metadata);
      CREATE INDEX messages_tenant_source_idx
        ON messages (tenant_id, source_type, source_id)
        WHERE source_type IS NOT NULL;
    `)
  }

  async down() {
    this.schema.raw(`
      DROP INDEX IF EXISTS messages_tenant_source_idx;
      DROP INDEX IF EXISTS messages_metadata_idx;
      DROP INDEX IF EXISTS messages_recipient_trgm_idx;
      DROP INDEX IF EXISTS messages_tenant_channel_recent_idx;
      DROP INDEX IF EXISTS messages_tenant_status_recent_idx;
      CREATE INDEX messages_tenant_listing_idx ON messages (tenant_id, created_at);
      DROP INDEX IF EXISTS messages_tenant_recent_idx;
    `)
  }
}
