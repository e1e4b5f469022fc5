import { MigrationInterface, QueryRunner } from 'typeorm';

// The caseload at stored days as a read model (ADR 0100), so that the three caseload KPIs look
// their counts up instead of working out every open case's caseworker and weight at D.
//
// caseload_day: the days it holds per municipality: the month ends of the three years up to the
// case-system export and the export date itself (the dashboard's default D). At any other D the
// KPIs read the facts as before.
//
// caseload_day_worker: per day and caseworker responsible for open cases at it, one row: the
// distinct children (and the sources of the cases, to find the caseworker's team), the distinct
// children per case area (areas, area_children), and the children per class of what is on their
// cases with this caseworker at the day (classes, class_children; bits: 1 placement, 2 open
// investigation, 4 preventive measure). The weights are a setting applied when read: a child's
// weight is its class's highest.
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;
const TABLES = ['caseload_day', 'caseload_day_worker'];

export class CaseloadReadModel1733919000000 implements MigrationInterface {
  name = 'CaseloadReadModel1733919000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE caseload_day (
        day date NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, day)
      );
      CREATE TABLE caseload_day_worker (
        day date NOT NULL,
        worker_id text NOT NULL,
        children integer NOT NULL,
        sources text[] NOT NULL,
        areas text[] NOT NULL,
        area_children integer[] NOT NULL,
        classes smallint[] NOT NULL,
        class_children integer[] NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, day, worker_id)
      );
    `);
    for (const table of TABLES) {
      await q.query(`GRANT SELECT ON ${table} TO bu_api`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY bu_api_scope ON ${table} FOR SELECT TO bu_api USING ${IN_SCOPE}`);
    }
    // Read models built before these exist lack them: none is current until built again (ADR 0074).
    await q.query(`DELETE FROM read_model_state`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE ${TABLES.join(', ')}`);
    await q.query(`DELETE FROM read_model_state`);
  }
}
