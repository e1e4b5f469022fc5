import { MigrationInterface, QueryRunner } from 'typeorm';

// Which pseudonym key made a case-system snapshot's person ids (etl pseudonymKeyId). A key
// rotation re-imports each municipality's snapshots under the new key; until every person-level
// source of a municipality carries the same key id, its figures are refused (docs/SECURITY.md).
// Snapshots from before this migration have no id (NULL): they count as one key of their own.
export class PseudonymKeyId1733600000000 implements MigrationInterface {
  name = 'PseudonymKeyId1733600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE source_snapshot ADD COLUMN pseudonym_key_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE source_snapshot DROP COLUMN pseudonym_key_id`);
  }
}
