import { MigrationInterface, QueryRunner } from 'typeorm';

// A read model for effect.change (ADR 0074): per child and measurement date, the sum of the five
// themes' averages, as the KPI works it out from every measurement of the municipality's history
// on each cold request. total is numeric, unconstrained, so it keeps avg()'s value exactly.
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class EffectReadModel1733916000000 implements MigrationInterface {
  name = 'EffectReadModel1733916000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE effect_child_date (
        person_id text COLLATE "C" NOT NULL,
        measured_on date NOT NULL,
        total numeric NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, person_id, measured_on)
      )
    `);
    await q.query(`GRANT SELECT ON effect_child_date TO bu_api`);
    await q.query(`ALTER TABLE effect_child_date ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_scope ON effect_child_date FOR SELECT TO bu_api USING ${IN_SCOPE}`);
    // Read models built before this one exists lack it: none is current until built again (ADR 0074).
    await q.query(`DELETE FROM read_model_state`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE effect_child_date`);
  }
}
