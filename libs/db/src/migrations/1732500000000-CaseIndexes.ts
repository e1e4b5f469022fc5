import { MigrationInterface, QueryRunner } from 'typeorm';

// The KPIs look facts up by case (a child's measures, plans, notifications, investigations). Without
// these, a national database turned those lookups into scans per child: effect.change for the
// largest municipality took minutes instead of about a second (npm run bench -- api).
const INDEXES: [string, string][] = [
  ['measure_case_idx', 'measure'],
  ['action_plan_case_idx', 'action_plan'],
  ['notification_case_idx', 'notification'],
  ['investigation_case_idx', 'investigation'],
];

export class CaseIndexes1732500000000 implements MigrationInterface {
  name = 'CaseIndexes1732500000000';

  async up(q: QueryRunner): Promise<void> {
    for (const [name, table] of INDEXES)
      await q.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${table} (municipality_code, source, case_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const [name] of INDEXES) await q.query(`DROP INDEX IF EXISTS ${name}`);
  }
}
