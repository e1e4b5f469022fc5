import { MigrationInterface, QueryRunner } from 'typeorm';

// supervision.two_visits_share at the days caseload_day holds (ADR 0110).
//
// two_visits_day: per day, the children judged at it (a placement active at the day that started
// on or before the day − 12 months, its case known), counted per set of the teams of their judged
// placements' cases at the day (NULL among them: a case with no team, the intake team's when read)
// and per whether they had two supervision visits in the 12 months up to the day. Each child is in
// one row; a team scope counts the rows whose set meets it. Counts only: no child is named here.
//
// At any other D the share is worked out from the facts. A digest of the builds decides which read
// models are current (ADR 0107), so nothing here needs to empty read_model_state.
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class TwoVisitsReadModel1733920600000 implements MigrationInterface {
  name = 'TwoVisitsReadModel1733920600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE two_visits_day (
        day date NOT NULL,
        teams text[] NOT NULL,
        met boolean NOT NULL,
        children integer NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, day, teams, met)
      )
    `);
    await q.query(`GRANT SELECT ON two_visits_day TO bu_api`);
    await q.query(`ALTER TABLE two_visits_day ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_scope ON two_visits_day FOR SELECT TO bu_api USING ${IN_SCOPE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE two_visits_day`);
  }
}
