import { MigrationInterface, QueryRunner } from 'typeorm';

// One counter that moves whenever something a KPI reads may have changed: an import (every import
// writes import_run in its own transaction), settings, goals and comparison groups. The API's KPI
// cache keys on it, so an import invalidates every cached figure in every API process at once.
const WATCHED = ['import_run', 'setting', 'political_goal', 'comparison_group'];

export class DataVersion1732400000000 implements MigrationInterface {
  name = 'DataVersion1732400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE data_version (
        only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
        version bigint NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now()
      );
      INSERT INTO data_version (version) VALUES (1);
      CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE data_version SET version = version + 1, changed_at = now();
        RETURN NULL;
      END $$;
    `);
    for (const table of WATCHED) {
      await q.query(`CREATE TRIGGER ${table}_bumps_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
                     FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of WATCHED) await q.query(`DROP TRIGGER ${table}_bumps_data_version ON ${table}`);
    await q.query('DROP FUNCTION bump_data_version(); DROP TABLE data_version');
  }
}
