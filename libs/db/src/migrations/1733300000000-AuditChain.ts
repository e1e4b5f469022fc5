import { MigrationInterface, QueryRunner } from 'typeorm';

// The audit log as evidence. The API's database role bu_api may add audit rows and read them, never
// change or remove them (privileges, plus a trigger that also holds if a later blanket GRANT gives
// bu_api more). Every row is hash-chained to the one before it: hash = sha256(prev_hash ‖ the row's
// canonical content, its case set's digest included). The chain is computed in the database by a
// BEFORE INSERT trigger that locks the chain's head row and numbers the row under that lock, so
// concurrent API processes cannot fork it and id order is chain order. Retention removes old rows
// (etl/src/jobs/retention.ts): a removed row leaves its hashes in audit_purged, and once every row
// up to it is gone, audit_purge keeps just the last one's id and hash as the chain's anchor.
// `npm run admin -- audit verify` walks it all (libs/db/src/audit-chain.ts).

const GENESIS = '0'.repeat(64);
const AUDIT_TABLES = ['audit_log', 'audit_case_set', 'audit_chain', 'audit_purge', 'audit_purged'];

export class AuditChain1733300000000 implements MigrationInterface {
  name = 'AuditChain1733300000000';

  async up(q: QueryRunner): Promise<void> {
    // The API's role (shared snippet: several test databases migrate at once in one cluster).
    await q.query(`DO $$ BEGIN CREATE ROLE bu_api NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    await q.query(
      `DO $$ BEGIN GRANT bu_api TO CURRENT_USER; EXCEPTION WHEN OTHERS THEN IF NOT pg_has_role(current_user, 'bu_api', 'MEMBER') THEN RAISE; END IF; END $$`,
    );
    await q.query(`
      ALTER TABLE audit_log ADD COLUMN client_ip text, ADD COLUMN status smallint, ADD COLUMN prev_hash text, ADD COLUMN hash text;
      -- The chain's head: one row, locked by every insert until its transaction ends.
      CREATE TABLE audit_chain (one boolean PRIMARY KEY DEFAULT true CHECK (one), head_id bigint, head_hash text NOT NULL);
      -- Where verification starts once the oldest rows are purged: the last purged row of the prefix.
      CREATE TABLE audit_purge (one boolean PRIMARY KEY DEFAULT true CHECK (one), anchor_id bigint NOT NULL, anchor_hash text NOT NULL, purged_at timestamptz NOT NULL DEFAULT now());
      -- Rows purged while an older row is still kept: their hashes bridge the gap.
      CREATE TABLE audit_purged (id bigint PRIMARY KEY, at timestamptz NOT NULL, municipality_code smallint, prev_hash text NOT NULL, hash text NOT NULL);

      -- The canonical content of a row: every column but the hashes, the timestamp in UTC.
      CREATE FUNCTION audit_row_hash(prev text, l audit_log) RETURNS text LANGUAGE sql STABLE AS $f$
        SELECT encode(sha256(convert_to(prev || jsonb_build_array(
          l.id::text, to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), l.username, l.role, l.action,
          l.municipality_code, l.case_ids, (SELECT s.digest FROM audit_case_set s WHERE s.id = l.case_set_id),
          l.detail, l.client_ip, l.status)::text, 'UTF8')), 'hex')
      $f$;

      CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $f$
      DECLARE prev text;
      BEGIN
        SELECT head_hash INTO STRICT prev FROM audit_chain FOR UPDATE;
        -- Numbered under the lock: ids follow the chain even when transactions start out of order.
        NEW.id := nextval('audit_log_id_seq');
        NEW.prev_hash := prev;
        NEW.hash := audit_row_hash(prev, NEW);
        UPDATE audit_chain SET head_id = NEW.id, head_hash = NEW.hash;
        RETURN NEW;
      END $f$;

      -- Append-only for anyone but the owner (the migration/worker role), whatever was granted.
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $f$
      BEGIN
        IF NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
          RAISE EXCEPTION 'permission denied for table %', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $f$;
    `);
    // Chain the rows written before this migration, in id order.
    await q.query(`
      DO $$ DECLARE r audit_log; prev text := '${GENESIS}'; BEGIN
        FOR r IN SELECT * FROM audit_log ORDER BY id LOOP
          r.prev_hash := prev;
          prev := audit_row_hash(prev, r);
          UPDATE audit_log SET prev_hash = r.prev_hash, hash = prev WHERE id = r.id;
        END LOOP;
        INSERT INTO audit_chain (head_id, head_hash) VALUES ((SELECT max(id) FROM audit_log), prev);
      END $$;
      ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL, ALTER COLUMN hash SET NOT NULL, ALTER COLUMN id DROP DEFAULT;
      CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
      CREATE INDEX audit_log_municipality_at_idx ON audit_log (municipality_code, at);
      CREATE OR REPLACE VIEW audit_access AS
        SELECT l.id, l.at, l.username, l.role, l.action, l.municipality_code, coalesce(s.case_ids, l.case_ids) AS case_ids, l.detail, l.client_ip, l.status
        FROM audit_log l LEFT JOIN audit_case_set s ON s.id = l.case_set_id;
      -- The purge removes sets of cases no row points at.
      CREATE INDEX audit_log_case_set_idx ON audit_log (case_set_id);
    `);
    for (const table of AUDIT_TABLES) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_append_only();
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
      `);
    }
    await q.query(`
      REVOKE ALL ON ${AUDIT_TABLES.join(', ')}, audit_access FROM bu_api;
      GRANT SELECT, INSERT ON audit_log, audit_case_set TO bu_api;
      GRANT SELECT ON audit_access TO bu_api;
      GRANT USAGE ON SEQUENCE audit_case_set_id_seq TO bu_api;

      -- The retention purge says what it removed in the import log, as source 'purge'.
      ALTER TABLE import_run DROP CONSTRAINT import_run_source_check,
        ADD CONSTRAINT import_run_source_check CHECK (source IN ('dubu','csc','economy','statistics','purge')),
        -- When the purge erased the import's rejected values (so the next purge skips it).
        ADD COLUMN values_purged_at timestamptz;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM import_run WHERE source = 'purge';
      ALTER TABLE import_run DROP CONSTRAINT import_run_source_check,
        ADD CONSTRAINT import_run_source_check CHECK (source IN ('dubu','csc','economy','statistics')),
        DROP COLUMN values_purged_at;
      REVOKE ALL ON audit_log, audit_case_set, audit_access FROM bu_api;
      DROP TRIGGER audit_log_chain ON audit_log;
      ${AUDIT_TABLES.map((t) => `DROP TRIGGER ${t}_append_only ON ${t}; DROP TRIGGER ${t}_no_truncate ON ${t};`).join('\n')}
      DROP INDEX audit_log_municipality_at_idx, audit_log_case_set_idx;
      DROP FUNCTION audit_log_chain(), audit_append_only(), audit_row_hash(text, audit_log);
      DROP VIEW audit_access;
      CREATE VIEW audit_access AS
        SELECT l.id, l.at, l.username, l.role, l.action, l.municipality_code, coalesce(s.case_ids, l.case_ids) AS case_ids, l.detail
        FROM audit_log l LEFT JOIN audit_case_set s ON s.id = l.case_set_id;
      ALTER TABLE audit_log ALTER COLUMN id SET DEFAULT nextval('audit_log_id_seq'), DROP COLUMN client_ip, DROP COLUMN status, DROP COLUMN prev_hash, DROP COLUMN hash;
      DROP TABLE audit_chain, audit_purge, audit_purged;
    `);
  }
}
