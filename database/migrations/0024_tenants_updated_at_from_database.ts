import { BaseSchema } from '@adonisjs/lucid/schema'

/**
 * Every UPDATE of a tenant sets its `updated_at` from the database's clock.
 * The workers' settings caches poll for rows changed since the newest
 * `updated_at` they saw: a value from a writer's clock running behind would
 * hide the change. `clock_timestamp()` rather than `now()`: inside a
 * transaction `now()` is when it began, possibly long before a lock let the
 * change through.
 */
export default class extends BaseSchema {
  async up() {
    // CREATE OR REPLACE: migration:fresh drops tables (and their triggers), not functions
    this.schema.raw(`
      CREATE OR REPLACE FUNCTION tenants_updated_at_from_database() RETURNS trigger AS $$
      BEGIN
        NEW.updated_at := clock_timestamp();
        RETURN NEW;
      END
      $$ LANGUAGE plpgsql
    `)
    this.schema.raw(`
      CREATE TRIGGER tenants_updated_at_from_database BEFORE UPDATE ON tenants
        FOR EACH ROW EXECUTE FUNCTION tenants_updated_at_from_database()
    `)
  }

  async down() {
    this.schema.raw('DROP TRIGGER IF EXISTS tenants_updated_at_from_database ON tenants')
    this.schema.raw('DROP FUNCTION IF EXISTS tenants_updated_at_from_database()')
  }
}
