import { MigrationInterface, QueryRunner } from 'typeorm';

// Administration in the browser (issue 15, point 3): the API lists the drop folders read-only, so
// bu_api may read drop_folder, under row-level security on municipality_code (a national folder,
// NULL, only with the '*' scope of a product administrator). The worker (the owner) keeps writing
// it; the API never adds, changes or removes a folder (ADR 0051).

const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class AdminDropFolderRead1733810000000 implements MigrationInterface {
  name = 'AdminDropFolderRead1733810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT SELECT ON drop_folder TO bu_api`);
    await q.query(`ALTER TABLE drop_folder ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_scope ON drop_folder FOR SELECT TO bu_api USING ${IN_SCOPE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY bu_api_scope ON drop_folder`);
    await q.query(`ALTER TABLE drop_folder DISABLE ROW LEVEL SECURITY`);
    await q.query(`REVOKE ALL ON drop_folder FROM bu_api`);
  }
}
