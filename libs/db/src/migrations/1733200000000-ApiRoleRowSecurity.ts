import { MigrationInterface, QueryRunner } from 'typeorm';

// Defence in depth for the municipality scope (issue 12, point 3). The API does not use the owner
// of the tables: every connection of its pool runs `SET ROLE bu_api` (apps/api/src/database), a
// role with only the privileges the API needs, under row-level security on municipality_code. The
// caller's municipalities are set per request in `bu.municipalities` ('461', or '*' for a national
// user); with no setting (no request, a public endpoint) a scoped table shows no rows. So a query
// that forgets `WHERE municipality_code = …` still cannot read or change another municipality's
// rows. The ETL, the worker and the migrations stay the owner, which RLS does not restrict.
//
// Policies on the partitioned case tables apply to queries through the parent (the API never names
// a partition; bu_api has no privilege on the partitions, which the ETL creates and swaps).

/** Case facts: person-level rows of one municipality, read-only for the API. */
const CASE_FACTS = [
  'team',
  'caseworker',
  'person',
  'child_case',
  'assignment',
  'notification',
  'investigation',
  'measure',
  'action_plan',
  'followup',
  'supervision_visit',
  'child_conversation',
  'effect_measurement',
  'complaint',
];
/** Other municipality-private rows the API only reads: budgets, the import log and its rejected values, snapshots. */
const PRIVATE_READ = ['budget_line', 'import_run', 'import_issue', 'source_snapshot'];
/** Municipality-private rows the API writes. */
const PRIVATE_WRITE = ['political_goal', 'admin_comment', 'comparison_group'];
/** Public reference data and statistics of every municipality (benchmarks compare them): no RLS. */
const PUBLIC_READ = ['municipality', 'population', 'municipal_statistic'];

/** The request's scope lets the row's municipality through; each call is an InitPlan, evaluated once per query. */
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class ApiRoleRowSecurity1733200000000 implements MigrationInterface {
  name = 'ApiRoleRowSecurity1733200000000';

  async up(q: QueryRunner): Promise<void> {
    // Several databases of one cluster may migrate at once: the role is cluster-wide.
    await q.query(`DO $$ BEGIN CREATE ROLE bu_api NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
    // The login user (owner) may SET ROLE bu_api; a superuser needs no membership, and a repeated grant is harmless.
    await q.query(`DO $$ BEGIN
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN EXECUTE format('GRANT bu_api TO %I', current_user); END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation OR invalid_grant_operation THEN NULL; END $$`);

    await q.query(`
      CREATE FUNCTION bu_scope_all() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS
        $$ SELECT coalesce(current_setting('bu.municipalities', true), '') = '*' $$;
      CREATE FUNCTION bu_scope_codes() RETURNS smallint[] LANGUAGE sql STABLE PARALLEL SAFE AS
        $$ SELECT CASE WHEN coalesce(current_setting('bu.municipalities', true), '') IN ('', '*') THEN '{}'::smallint[]
                       ELSE string_to_array(current_setting('bu.municipalities', true), ',')::smallint[] END $$;
    `);
    await q.query(`GRANT USAGE ON SCHEMA public TO bu_api`);
    await q.query(`GRANT EXECUTE ON FUNCTION bu_scope_all(), bu_scope_codes() TO bu_api`);

    for (const table of [...CASE_FACTS, ...PRIVATE_READ]) {
      await q.query(`GRANT SELECT ON ${table} TO bu_api`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY bu_api_scope ON ${table} FOR SELECT TO bu_api USING ${IN_SCOPE}`);
    }
    for (const table of PRIVATE_WRITE) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO bu_api`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY bu_api_scope ON ${table} FOR ALL TO bu_api USING ${IN_SCOPE} WITH CHECK ${IN_SCOPE}`);
    }
    for (const table of PUBLIC_READ) await q.query(`GRANT SELECT ON ${table} TO bu_api`);

    // Settings: municipality 0 is product-wide, read by everyone, changed by a national user only.
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON setting TO bu_api`);
    await q.query(`ALTER TABLE setting ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_read ON setting FOR SELECT TO bu_api USING (municipality_code = 0 OR ${IN_SCOPE})`);
    await q.query(`CREATE POLICY bu_api_insert ON setting FOR INSERT TO bu_api WITH CHECK ${IN_SCOPE}`);
    await q.query(`CREATE POLICY bu_api_update ON setting FOR UPDATE TO bu_api USING ${IN_SCOPE} WITH CHECK ${IN_SCOPE}`);
    await q.query(`CREATE POLICY bu_api_delete ON setting FOR DELETE TO bu_api USING ${IN_SCOPE}`);

    // Users: a login and a token check read the user before anyone's scope is known, so reading is
    // open; creating, changing and deleting stay in the scope (a national user's row, NULL, only with '*').
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON app_user TO bu_api`);
    await q.query(`ALTER TABLE app_user ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_read ON app_user FOR SELECT TO bu_api USING (true)`);
    await q.query(`CREATE POLICY bu_api_insert ON app_user FOR INSERT TO bu_api WITH CHECK ${IN_SCOPE}`);
    await q.query(`CREATE POLICY bu_api_update ON app_user FOR UPDATE TO bu_api USING ${IN_SCOPE} WITH CHECK ${IN_SCOPE}`);
    await q.query(`CREATE POLICY bu_api_delete ON app_user FOR DELETE TO bu_api USING ${IN_SCOPE}`);

    // Audit: appended and read, never changed (the audit owner keeps its own rules on top). No RLS:
    // rows of several requests are written in one batched INSERT. audit_case_set is upserted
    // (ON CONFLICT DO UPDATE SET digest = digest, to get the id back), which needs UPDATE on digest.
    await q.query(`GRANT SELECT, INSERT ON audit_log, audit_case_set TO bu_api`);
    await q.query(`GRANT UPDATE (digest) ON audit_case_set TO bu_api`);
    // The data version is read by the KPI cache and moved by the triggers on the tables above.
    await q.query(`GRANT SELECT, UPDATE ON data_version TO bu_api`);
    await q.query(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO bu_api`);
    // Tables made by later migrations get no privilege by default: each grants bu_api what the API needs (and a policy).
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO bu_api`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...CASE_FACTS, ...PRIVATE_READ, ...PRIVATE_WRITE]) {
      await q.query(`DROP POLICY IF EXISTS bu_api_scope ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
    for (const table of ['setting', 'app_user']) {
      for (const policy of ['bu_api_read', 'bu_api_insert', 'bu_api_update', 'bu_api_delete'])
        await q.query(`DROP POLICY IF EXISTS ${policy} ON ${table}`);
      await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
    // The role is cluster-wide (other databases may use it): only this database's privileges go.
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM bu_api`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE ON SEQUENCES FROM bu_api`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM bu_api`);
    await q.query(`REVOKE ALL ON SCHEMA public FROM bu_api`);
    await q.query(`DROP FUNCTION bu_scope_all(); DROP FUNCTION bu_scope_codes()`);
  }
}
