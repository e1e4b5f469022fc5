import { MigrationInterface, QueryRunner } from 'typeorm';

// Data versions per municipality (issue 18, point 1; ADR 0070). The one counter of DataVersion
// moved with every import of any municipality, and every API process then dropped every cached
// figure of every municipality. Now data_version has one row per scope:
//   '<code>'    a municipality: its case-system, economy or purge import (import_run), its
//               settings, goals, comments and comparison groups;
//   'national'  the public statistics (population, municipal_statistic): a statistics import;
//   '*'         everything: a product-wide setting (municipality 0), a TRUNCATE of a watched table.
// A municipality's row is made by its first change (no row reads as version 0). Each change moves
// its row by one and announces the scope (NOTIFY data_version, '<scope>', sent at commit), so an
// API process drops only that scope's answers. The triggers are per row (a statement-level trigger
// cannot tell which municipality a statement touched); the watched tables take few rows a change.
//
// An import_run row counts once it is no longer 'running': the KPIs read succeeded imports only,
// and a run that starts has changed nothing yet (its end moves the version, at its commit). A run
// with no municipality (a failed import that never learnt it) moves nothing: no KPI reads it.

const WATCHED = ['import_run', 'setting', 'political_goal', 'comparison_group', 'admin_comment'];
const OLD_WATCHED = ['import_run', 'setting', 'political_goal', 'comparison_group'];

export class DataVersionPerMunicipality1733900000000 implements MigrationInterface {
  name = 'DataVersionPerMunicipality1733900000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of OLD_WATCHED) await q.query(`DROP TRIGGER ${table}_bumps_data_version ON ${table}`);
    await q.query(`DROP FUNCTION bump_data_version()`);
    await q.query(`
      ALTER TABLE data_version DROP COLUMN only_row, ADD COLUMN scope text;
      UPDATE data_version SET scope = '*';
      ALTER TABLE data_version ALTER COLUMN scope SET NOT NULL, ADD PRIMARY KEY (scope),
        ADD CONSTRAINT data_version_scope_check CHECK (scope IN ('*', 'national') OR scope ~ '^[0-9]{1,3}$');
      INSERT INTO data_version (scope, version) VALUES ('national', 1);
    `);
    // SECURITY DEFINER: the API (bu_api) changes settings and goals, and so moves versions, without
    // a privilege to write data_version itself.
    await q.query(`
      CREATE FUNCTION move_data_version(moved text) RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      BEGIN
        INSERT INTO data_version (scope, version) VALUES (moved, 1)
          ON CONFLICT (scope) DO UPDATE SET version = data_version.version + 1, changed_at = now();
        PERFORM pg_notify('data_version', moved);
      END $$;
      CREATE FUNCTION data_version_scope_of(tbl text, r jsonb) RETURNS text LANGUAGE sql IMMUTABLE AS $$
        SELECT CASE
          WHEN r IS NULL THEN NULL
          WHEN tbl = 'import_run' AND r->>'status' = 'running' THEN NULL
          WHEN tbl = 'import_run' AND r->>'source' = 'statistics' THEN 'national'
          WHEN r->>'municipality_code' IS NULL THEN NULL
          WHEN (r->>'municipality_code')::int = 0 THEN '*'
          ELSE r->>'municipality_code'
        END
      $$;
      CREATE FUNCTION data_version_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        a text := CASE WHEN TG_OP <> 'DELETE' THEN data_version_scope_of(TG_TABLE_NAME, to_jsonb(NEW)) END;
        b text := CASE WHEN TG_OP <> 'INSERT' THEN data_version_scope_of(TG_TABLE_NAME, to_jsonb(OLD)) END;
      BEGIN
        IF a IS NOT NULL THEN PERFORM move_data_version(a); END IF;
        IF b IS NOT NULL AND b IS DISTINCT FROM a THEN PERFORM move_data_version(b); END IF;
        RETURN NULL;
      END $$;
      CREATE FUNCTION data_version_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM move_data_version('*');
        RETURN NULL;
      END $$;
    `);
    for (const table of WATCHED) {
      await q.query(`CREATE TRIGGER ${table}_moves_data_version AFTER INSERT OR UPDATE OR DELETE ON ${table}
                     FOR EACH ROW EXECUTE FUNCTION data_version_row_changed()`);
      await q.query(`CREATE TRIGGER ${table}_truncate_moves_data_version AFTER TRUNCATE ON ${table}
                     FOR EACH STATEMENT EXECUTE FUNCTION data_version_truncated()`);
    }
    await q.query(`REVOKE UPDATE ON data_version FROM bu_api`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of WATCHED) {
      await q.query(`DROP TRIGGER ${table}_moves_data_version ON ${table}`);
      await q.query(`DROP TRIGGER ${table}_truncate_moves_data_version ON ${table}`);
    }
    await q.query(
      `DROP FUNCTION data_version_truncated(), data_version_row_changed(), data_version_scope_of(text, jsonb), move_data_version(text)`,
    );
    await q.query(`
      DELETE FROM data_version WHERE scope <> '*';
      ALTER TABLE data_version DROP COLUMN scope, ADD COLUMN only_row boolean NOT NULL DEFAULT true CHECK (only_row);
      ALTER TABLE data_version ADD PRIMARY KEY (only_row);
      CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE data_version SET version = version + 1, changed_at = now();
        PERFORM pg_notify('data_version', '');
        RETURN NULL;
      END $$;
    `);
    for (const table of OLD_WATCHED) {
      await q.query(`CREATE TRIGGER ${table}_bumps_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${table}
                     FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()`);
    }
    await q.query(`GRANT UPDATE ON data_version TO bu_api`);
  }
}
