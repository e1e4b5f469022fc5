import { MigrationInterface, QueryRunner } from 'typeorm';

// Read models (ADR 0074): tables derived from a municipality's case facts, built by the worker right
// after its case-system import, that the KPI SQL reads instead of working the same history out again
// on every cold request. read_model_state says which import they were built from; a KPI uses them
// only when that is the import in force (else the live SQL, which gives the same answer).
//
// case_team_span: per case, the spans of days over which its responsible caseworker and its team
// (CASE_TEAM in libs/kpi) stay the same. team NULL is the intake team, a setting applied when read.
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;
const TABLES = ['read_model_state', 'case_team_span'];

export class ReadModels1733915000000 implements MigrationInterface {
  name = 'ReadModels1733915000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE read_model_state (
        municipality_code smallint PRIMARY KEY,
        import_id bigint NOT NULL,
        built_at timestamptz NOT NULL DEFAULT now(),
        seconds real NOT NULL
      );
      CREATE TABLE case_team_span (
        source text COLLATE "C" NOT NULL,
        case_id text COLLATE "C" NOT NULL,
        valid_from date NOT NULL,
        valid_to date,
        worker_id text COLLATE "C",
        team text,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, source, case_id, valid_from)
      );
    `);
    for (const table of TABLES) {
      await q.query(`GRANT SELECT ON ${table} TO bu_api`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY bu_api_scope ON ${table} FOR SELECT TO bu_api USING ${IN_SCOPE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE case_team_span, read_model_state`);
  }
}
