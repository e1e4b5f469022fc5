import { MigrationInterface, QueryRunner } from 'typeorm';

// effect.change as a look-up (ADR 0078): per child, the spans of days from each measurement date
// (from the second on) to the day before the next, with the first date's total, the total of the
// span's own date and the measure types active on it, so that the KPI reads one row per child
// instead of aggregating every measurement of the municipality's history. It replaces
// effect_child_date (ADR 0074), which nothing reads any more. Totals are numeric, unconstrained,
// as avg() makes them: the KPI's Δ stays exact.
const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class EffectSpanReadModel1733917000000 implements MigrationInterface {
  name = 'EffectSpanReadModel1733917000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE effect_child_span (
        person_id text COLLATE "C" NOT NULL,
        valid_from date NOT NULL,
        valid_to date,
        first_total numeric NOT NULL,
        latest_total numeric NOT NULL,
        measure_types text[] NOT NULL,
        municipality_code smallint NOT NULL,
        PRIMARY KEY (municipality_code, person_id, valid_from)
      )
    `);
    // The spans holding D are found among those that end on or after it (or have not ended): for a
    // recent D a small part of the municipality's spans, where nearly all began by D.
    await q.query(`CREATE INDEX effect_child_span_to_idx ON effect_child_span (municipality_code, valid_to)`);
    await q.query(`GRANT SELECT ON effect_child_span TO bu_api`);
    await q.query(`ALTER TABLE effect_child_span ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_scope ON effect_child_span FOR SELECT TO bu_api USING ${IN_SCOPE}`);
    await q.query(`DROP TABLE effect_child_date`);
    // Read models built before this one exists lack it: none is current until built again (ADR 0074).
    await q.query(`DELETE FROM read_model_state`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE effect_child_span`);
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
    await q.query(`DELETE FROM read_model_state`);
  }
}
