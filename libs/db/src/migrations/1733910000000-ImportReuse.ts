import { MigrationInterface, QueryRunner } from 'typeorm';

// Cheap re-imports (issue 18, point 3; ADR 0073). `reuse`: what else besides its files' checksums
// made a case-system snapshot what it is (the export date as given, the pseudonym key, the rules'
// fingerprint, the day until which the default export date stays the same); NULL for runs that
// cannot be reused. `same_as`: set on a run whose export matched the snapshot in force file for
// file, so nothing was staged again; the import that loaded that snapshot.
export class ImportReuse1733910000000 implements MigrationInterface {
  name = 'ImportReuse1733910000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_run ADD COLUMN reuse jsonb, ADD COLUMN same_as bigint REFERENCES import_run(id) ON DELETE SET NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_run DROP COLUMN same_as, DROP COLUMN reuse`);
  }
}
