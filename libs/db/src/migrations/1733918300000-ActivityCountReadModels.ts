import { MigrationInterface, QueryRunner } from 'typeorm';

// The activity counts and the budget's active measures as read models (ADR 0082), so that the
// committee's and the chief's activity and budget figures look their counts up instead of reading
// every measure, case and notification of the municipality's history.
//
// activity_count_day: a step function per municipality, one row per day on which a count changes,
// valid until the next row: the distinct children with a placement (one in family care), a
// preventive measure or an open case active at the end of that day, and running totals
// (notifications by Copenhagen received day, placements by start day and by end day), so a count
// in a period is the difference of two look-ups.
//
// budget_cost_month, budget_children_month: changes at month ends (the budget reads month ends
// only) per measure type of the active measures' monthly cost, and per set of measure types of the
// number of children whose costed measures active at the month end are of exactly that set. The
// account function of a measure type is a setting applied when read: a child counts for a
// function when its set holds one of the function's types, so the distinct count stays exact.
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;
const TABLES = ['activity_count_day', 'budget_cost_month', 'budget_children_month'];

export class ActivityCountReadModels1733918300000 implements MigrationInterface {
  name = 'ActivityCountReadModels1733918300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE activity_count_day (
        day date NOT NULL,
        placed_children integer NOT NULL,
        placed_family_care_children integer NOT NULL,
        preventive_children integer NOT NULL,
        open_case_children integer NOT NULL,
        notifications_to_date integer NOT NULL,
        placements_started_to_date integer NOT NULL,
        placements_ended_to_date integer NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, day)
      );
      CREATE TABLE budget_cost_month (
        month_end date NOT NULL,
        measure_type text NOT NULL,
        change numeric NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, month_end, measure_type)
      );
      CREATE TABLE budget_children_month (
        month_end date NOT NULL,
        measure_types text[] NOT NULL,
        change integer NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, month_end, measure_types)
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
