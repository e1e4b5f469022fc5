import { MigrationInterface, QueryRunner } from 'typeorm';

// The measures' deadline lists at the days caseload_day holds (ADR 0106).
//
// measure_deadline_day: per day, the measures active at it that the deadline KPIs count (economic
// benefits left out) whose case is known, with what their due dates rest on as known at the day: the
// start, the cadence from the export, the latest follow-up and (placements) the latest supervision
// visit on or before the day, and the case's caseworker and team at the day (NULL team: the intake
// team, a setting, applied when read). The due dates are worked out when read, so the default
// cadence (a setting) is not built in. At any other D the lists are worked out from the facts.
// The lists read a day's rows whole, so the index is on (municipality, day): a key of day, case
// system and measure would be nine times its size (6 million rows nationally), and the build's
// statement gives a measure one row a day by construction.
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class MeasureDeadlineReadModel1733920300000 implements MigrationInterface {
  name = 'MeasureDeadlineReadModel1733920300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE measure_deadline_day (
        day date NOT NULL,
        source text COLLATE "C" NOT NULL,
        measure_id text COLLATE "C" NOT NULL,
        case_id text COLLATE "C" NOT NULL,
        measure_type text NOT NULL,
        placement boolean NOT NULL,
        started date NOT NULL,
        followup_cadence_months smallint,
        last_followup date,
        last_visit date,
        worker_id text COLLATE "C",
        team text,
        municipality_code smallint NOT NULL
      );
      CREATE INDEX measure_deadline_day_day_idx ON measure_deadline_day (municipality_code, day);
    `);
    await q.query(`GRANT SELECT ON measure_deadline_day TO bu_api`);
    await q.query(`ALTER TABLE measure_deadline_day ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_scope ON measure_deadline_day FOR SELECT TO bu_api USING ${IN_SCOPE}`);
    // Read models built before this exists lack it: none is current until built again (ADR 0074).
    await q.query(`DELETE FROM read_model_state`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE measure_deadline_day`);
    await q.query(`DELETE FROM read_model_state`);
  }
}
