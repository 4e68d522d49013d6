import { BaseSchema } from '@adonisjs/lucid/schema'
import { SUPPRESSION_REASONS } from '#enums/suppression_reason'

const REASONS = SUPPRESSION_REASONS.map((reason) => `'${reason}'`).join(', ')

/** The checks of 0005 and 0006, kept as they were outside an erasure (and restored by down) */
const IMMUTABLE_OUTSIDE_ERASURE = `
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
        END IF;`
const DELETE_WHEN_ARCHIVING = `
        IF TG_OP = 'DELETE' AND current_setting('switchboard.archiving', true) = 'on' THEN
          RETURN OLD;
        END IF;`
const REFUSE_EVENT_CHANGE = `
        RAISE EXCEPTION 'delivery_events is append-only: % refused', TG_OP
          USING ERRCODE = 'integrity_constraint_violation';`

/**
 * Erasure of a recipient (data-protection requests) against an immutable log.
 *
 * Suppressions get `recipient_hash`, the hex SHA-256 of
 * `<tenant id or 'global'>|<channel>|<address>` (suppression_hash() here,
 * suppressionHash() in the app), filled for every row at insert: lookups
 * match on it, so an erased entry whose address became a tombstone still
 * stops every send to the person.
 *
 * The immutability triggers of messages and delivery_events let an UPDATE
 * through only inside a transaction that declares itself an erasure
 * (`SET LOCAL switchboard.erasure = 'on'`, as audit_entries already does), and
 * then only of the columns that may hold the address or the content: ids,
 * tenant, channel, priority, types, sources and times stay as they were.
 */
export default class extends BaseSchema {
  async up() {
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION suppression_hash(scope text, channel text, recipient text) RETURNS text AS $$
        SELECT encode(sha256(convert_to(scope || '|' || channel || '|' || recipient, 'UTF8')), 'hex')
      $$ LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE;

      ALTER TABLE suppressions ADD COLUMN recipient_hash text;
      UPDATE suppressions
         SET recipient_hash = suppression_hash(coalesce(tenant_id::text, 'global'), channel, recipient);
      ALTER TABLE suppressions ALTER COLUMN recipient_hash SET NOT NULL;
      CREATE INDEX suppressions_recipient_hash_idx ON suppressions (recipient_hash);

      CREATE OR REPLACE FUNCTION suppressions_fill_hash() RETURNS trigger AS $$
      BEGIN
        NEW.recipient_hash := coalesce(NEW.recipient_hash,
          suppression_hash(coalesce(NEW.tenant_id::text, 'global'), NEW.channel, NEW.recipient));
        RETURN NEW;
      END
      $$ LANGUAGE plpgsql;
      CREATE TRIGGER suppressions_fill_hash BEFORE INSERT ON suppressions
        FOR EACH ROW EXECUTE FUNCTION suppressions_fill_hash();

      ALTER TABLE suppressions DROP CONSTRAINT IF EXISTS suppressions_reason_check;
      ALTER TABLE suppressions ADD CONSTRAINT suppressions_reason_check CHECK (reason IN (${REASONS}));

      ALTER TABLE messages ADD COLUMN erased_at timestamptz NULL;

      CREATE TABLE erasures (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
        channel text NOT NULL,
        counts jsonb NOT NULL,
        actor_type text NOT NULL,
        actor_id text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX erasures_tenant_idx ON erasures (tenant_id, created_at);

      CREATE OR REPLACE FUNCTION messages_immutable_columns() RETURNS trigger AS $$
      BEGIN
        IF current_setting('switchboard.erasure', true) = 'on' THEN
          IF (to_jsonb(NEW) - ARRAY['recipient', 'recipient_domain', 'subject', 'content', 'metadata',
                                    'fallback', 'idempotency_key', 'last_error', 'erased_at', 'updated_at'])
             IS DISTINCT FROM
             (to_jsonb(OLD) - ARRAY['recipient', 'recipient_domain', 'subject', 'content', 'metadata',
                                    'fallback', 'idempotency_key', 'last_error', 'erased_at', 'updated_at']) THEN
            RAISE EXCEPTION 'an erasure may only redact a message''s address and content'
              USING ERRCODE = 'integrity_constraint_violation';
          END IF;
          RETURN NEW;
        END IF;
${IMMUTABLE_OUTSIDE_ERASURE}
        RETURN NEW;
      END
      $$ LANGUAGE plpgsql;

      CREATE OR REPLACE FUNCTION delivery_events_append_only() RETURNS trigger AS $$
      BEGIN
${DELETE_WHEN_ARCHIVING}
        IF TG_OP = 'UPDATE' AND current_setting('switchboard.erasure', true) = 'on'
           AND (to_jsonb(NEW) - ARRAY['reason', 'details', 'payload'])
               IS NOT DISTINCT FROM (to_jsonb(OLD) - ARRAY['reason', 'details', 'payload']) THEN
          RETURN NEW;
        END IF;
${REFUSE_EVENT_CHANGE}
      END
      $$ LANGUAGE plpgsql;
    `)
  }

  async down() {
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION delivery_events_append_only() RETURNS trigger AS $$
      BEGIN
${DELETE_WHEN_ARCHIVING}
${REFUSE_EVENT_CHANGE}
      END
      $$ LANGUAGE plpgsql;

      CREATE OR REPLACE FUNCTION messages_immutable_columns() RETURNS trigger AS $$
      BEGIN
${IMMUTABLE_OUTSIDE_ERASURE}
        RETURN NEW;
      END
      $$ LANGUAGE plpgsql;

      DROP TABLE IF EXISTS erasures;
      ALTER TABLE messages DROP COLUMN IF EXISTS erased_at;
      DELETE FROM suppressions WHERE reason = 'erased';
      ALTER TABLE suppressions DROP CONSTRAINT IF EXISTS suppressions_reason_check;
      ALTER TABLE suppressions ADD CONSTRAINT suppressions_reason_check CHECK (reason IN (
        'hard_bounce', 'complaint', 'soft_bounce', 'unsubscribe', 'manual', 'invalid'));
      DROP TRIGGER IF EXISTS suppressions_fill_hash ON suppressions;
      DROP FUNCTION IF EXISTS suppressions_fill_hash();
      ALTER TABLE suppressions DROP COLUMN IF EXISTS recipient_hash;
      DROP FUNCTION IF EXISTS suppression_hash(text, text, text);
    `)
  }
}
