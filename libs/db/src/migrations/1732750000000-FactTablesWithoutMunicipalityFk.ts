import { MigrationInterface, QueryRunner } from 'typeorm';

// The case-system fact tables lose their foreign key to municipality(code). Why: it is a per-row
// RI trigger (one lookup in municipality for every inserted or updated row), and a DUBU import of
// 1,000,000 measures paid seconds for it (npm run bench -- etl; about a fifth of the measure insert).
// The municipality is still checked: the ETL rejects any row whose municipality is not a
// municipality (rule R007 MUNICIPALITY_UNKNOWN) or not the snapshot's (R008), and every case-system
// snapshot is written in the same transaction as its import_run and source_snapshot rows, which
// keep their foreign key to municipality: a snapshot for an unknown municipality cannot commit.
// budget_line (economy, small, no snapshot row) keeps its key.
export const FACT_TABLES = [
  'team',
  'caseworker',
  'person',
  'child_case',
  'assignment',
  'notification',
  'investigation',
  'measure',
  'action_plan',
  'followup',
  'supervision_visit',
  'child_conversation',
  'effect_measurement',
  'complaint',
];

export class FactTablesWithoutMunicipalityFk1732750000000 implements MigrationInterface {
  name = 'FactTablesWithoutMunicipalityFk1732750000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of FACT_TABLES) await q.query(`ALTER TABLE ${table} DROP CONSTRAINT IF EXISTS ${table}_municipality_code_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of FACT_TABLES) {
      await q.query(
        `ALTER TABLE ${table} ADD CONSTRAINT ${table}_municipality_code_fkey FOREIGN KEY (municipality_code) REFERENCES municipality(code)`,
      );
    }
  }
}
