import { MigrationInterface, QueryRunner } from 'typeorm';

// The chief's figures of the measures active at D, at the days caseload_day holds (ADR 0108).
//
// measure_type_day: per day and measure type of the measures active at it, one row: the median age
// (day − start, in days) of those measures, and of the placements among them whose case is known,
// the distinct children and the sum of their monthly costs (NULL when none has one).
//
// top_case_day: per day, the 20 cases (by case number, over every case system) with the highest
// monthly cost of the measures active at it, ranked as cost.top_cases ranks them, with their
// number of measures and measure types.
//
// At any other D the figures are worked out from the facts. A digest of the builds decides which
// read models are current (ADR 0107), so no municipality's old ones are read before they are built
// again: nothing here needs to empty read_model_state.
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;
const TABLES = ['measure_type_day', 'top_case_day'];

export class ActiveMeasureReadModels1733920500000 implements MigrationInterface {
  name = 'ActiveMeasureReadModels1733920500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE measure_type_day (
        day date NOT NULL,
        measure_type text NOT NULL,
        age_median double precision NOT NULL,
        placed_children integer NOT NULL,
        placed_cost numeric,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, day, measure_type)
      );
      CREATE TABLE top_case_day (
        day date NOT NULL,
        rank smallint NOT NULL,
        case_id text COLLATE "C" NOT NULL,
        total numeric NOT NULL,
        measures integer NOT NULL,
        measure_types text[] NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, day, rank)
      );
    `);
    for (const table of TABLES) {
      await q.query(`GRANT SELECT ON ${table} TO bu_api`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY bu_api_scope ON ${table} FOR SELECT TO bu_api USING ${IN_SCOPE}`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE top_case_day, measure_type_day`);
  }
}
