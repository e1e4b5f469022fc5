import { MigrationInterface, QueryRunner } from 'typeorm';

// Two more read models (ADR 0102), for the heaviest statements of the chief's set left after ADR 0100.
//
// started_measure: per placement or preventive measure whose case is known, its start, and the
// earliest action plan and child conversation of the child inside the windows deadline.plan_on_time
// and deadline.child_conversation judge the measure by (from start − 12 months to the plan's limit;
// the 6 months up to and including the decision, else the start). Neither window depends on D: a
// plan or conversation "known by D" in the window exists exactly when the earliest one is on or
// before D. The two shares then count the measures started in P without a look-up for each.
//
// unassigned_case_day: caseload.unassigned's rows at the days caseload_day holds (ADR 0100): per
// day, the cases open at it with nobody responsible, or someone whose employment had ended, with
// the last caseworker, that caseworker's team as the caseworker table has it (the intake team, a
// setting, is applied when read), the reason and the first day without. At any other D the list
// is worked out from the facts as before.
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;
const TABLES = ['started_measure', 'unassigned_case_day'];

export class StartedMeasureAndUnassignedCaseReadModels1733920000000 implements MigrationInterface {
  name = 'StartedMeasureAndUnassignedCaseReadModels1733920000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE started_measure (
        source text COLLATE "C" NOT NULL,
        measure_id text COLLATE "C" NOT NULL,
        case_id text COLLATE "C" NOT NULL,
        started date NOT NULL,
        first_plan date,
        first_conversation date,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, source, measure_id)
      );
      CREATE INDEX started_measure_started_idx ON started_measure (municipality_code, started);
      CREATE TABLE unassigned_case_day (
        day date NOT NULL,
        source text COLLATE "C" NOT NULL,
        case_id text COLLATE "C" NOT NULL,
        area text NOT NULL,
        last_worker text COLLATE "C",
        team text,
        reason text NOT NULL,
        since date NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, day, source, case_id)
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
