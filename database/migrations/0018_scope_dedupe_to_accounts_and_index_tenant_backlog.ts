import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * What one tenant does must not show in, or cut off, another's.
 *
 * A provider's ids are unique within one account only: a self-hosted Postal
 * or a restarted gateway can repeat the ids another account already used.
 * Provider events and inbound messages are de-duplicated per provider
 * account, so one account's ids never drop another account's callbacks.
 * delivery_events gets the account as a column of its own (null for events
 * no provider callback brought, and for push reports sent with an API key);
 * rows already logged take it from their details, where the tracker kept it.
 * It has no foreign key: ON DELETE SET NULL would be an UPDATE, which the
 * append-only trigger refuses, so removing a provider config would fail.
 *
 * GET /api/v1/messages/stats/queue counts a tenant's unfinished messages by
 * priority and state: the partial index finds them without walking the
 * tenant's whole history, and stays as small as the backlog.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw(`
      ALTER TABLE delivery_events ADD COLUMN provider_config_id uuid NULL;

      ALTER TABLE delivery_events DISABLE TRIGGER delivery_events_append_only;
      UPDATE delivery_events SET provider_config_id = (details ->> 'providerConfigId')::uuid
        WHERE provider_event_id IS NOT NULL AND details ->> 'providerConfigId' IS NOT NULL;
      ALTER TABLE delivery_events ENABLE TRIGGER delivery_events_append_only;

      DROP INDEX delivery_events_provider_event_uq;
      CREATE UNIQUE INDEX delivery_events_provider_event_uq
        ON delivery_events (provider_config_id, source, provider_event_id) NULLS NOT DISTINCT
        WHERE provider_event_id IS NOT NULL;

      DROP INDEX messages_inbound_provider_id_uq;
      CREATE UNIQUE INDEX messages_inbound_provider_id_uq
        ON messages (provider_config_id, provider_message_id)
        WHERE direction = 'inbound';

      CREATE INDEX messages_tenant_backlog_idx
        ON messages (tenant_id, priority, status, next_attempt_at)
        WHERE status IN ('scheduled', 'queued', 'sending');
    `)
  }

  async down() {
    this.schema.raw(`
      DROP INDEX IF EXISTS messages_tenant_backlog_idx;

      DROP INDEX messages_inbound_provider_id_uq;
      CREATE UNIQUE INDEX messages_inbound_provider_id_uq
        ON messages (tenant_id, gateway, provider_message_id)
        WHERE direction = 'inbound';

      DROP INDEX delivery_events_provider_event_uq;
      CREATE UNIQUE INDEX delivery_events_provider_event_uq ON delivery_events (source, provider_event_id)
        WHERE provider_event_id IS NOT NULL;
      ALTER TABLE delivery_events DROP COLUMN provider_config_id;
    `)
  }
}
