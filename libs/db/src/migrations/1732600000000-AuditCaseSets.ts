import { MigrationInterface, QueryRunner } from 'typeorm';

// A team leader's work lists or a chief's overdue lists name thousands of cases, and the same
// list is seen again and again: each distinct set of cases is stored once, and every access row
// points at it. audit_access reads the log with the cases of every row, old rows included.
export class AuditCaseSets1732600000000 implements MigrationInterface {
  name = 'AuditCaseSets1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_case_set (
        id bigserial PRIMARY KEY,
        digest text NOT NULL UNIQUE,
        case_ids text[] NOT NULL
      );
      ALTER TABLE audit_log ADD COLUMN case_set_id bigint REFERENCES audit_case_set(id), ALTER COLUMN case_ids DROP NOT NULL, ALTER COLUMN case_ids DROP DEFAULT;
      CREATE VIEW audit_access AS
        SELECT l.id, l.at, l.username, l.role, l.action, l.municipality_code, coalesce(s.case_ids, l.case_ids) AS case_ids, l.detail
        FROM audit_log l LEFT JOIN audit_case_set s ON s.id = l.case_set_id;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP VIEW audit_access;
      UPDATE audit_log l SET case_ids = s.case_ids FROM audit_case_set s WHERE s.id = l.case_set_id;
      ALTER TABLE audit_log DROP COLUMN case_set_id;
      DROP TABLE audit_case_set;
    `);
  }
}
