import { MigrationInterface, QueryRunner } from 'typeorm';

// effect.change at the days caseload_day holds (ADR 0103): per day, set of measure types and
// direction of Δ (improved 1, unchanged 0, worsened −1), the children counted and the exact sum of
// their Δ, from the children's spans holding the day (effect_child_span, ADR 0078). The KPI sums
// these few rows per type instead of every child's span; at any other D it reads the spans.
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class EffectChangeReadModel1733920100000 implements MigrationInterface {
  name = 'EffectChangeReadModel1733920100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE effect_change_day (
        day date NOT NULL,
        types text[] NOT NULL,
        direction smallint NOT NULL,
        children integer NOT NULL,
        total numeric NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, day, types, direction)
      );
    `);
    await q.query(`GRANT SELECT ON effect_change_day TO bu_api`);
    await q.query(`ALTER TABLE effect_change_day ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_scope ON effect_change_day FOR SELECT TO bu_api USING ${IN_SCOPE}`);
    // Read models built before this one exist lack it: none is current until built again (ADR 0074).
    await q.query(`DELETE FROM read_model_state`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE effect_change_day`);
    await q.query(`DELETE FROM read_model_state`);
  }
}
