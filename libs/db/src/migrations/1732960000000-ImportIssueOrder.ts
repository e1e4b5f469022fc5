import { MigrationInterface, QueryRunner } from 'typeorm';

// An import's issues of one severity in the order they were found, a page at a time (the result's
// first 1,000, `npm run etl -- --json`): without this index the planner sorted all of an import's
// issues for every page (a million rejected rows: 200 pages of a quarter of a second each).
export class ImportIssueOrder1732960000000 implements MigrationInterface {
  name = 'ImportIssueOrder1732960000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX import_issue_order_idx ON import_issue (import_id, severity, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX import_issue_order_idx');
  }
}
