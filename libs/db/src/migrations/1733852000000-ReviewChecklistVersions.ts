import { MigrationInterface, QueryRunner } from 'typeorm';

// Case review (issue 16): a municipality's chief writes its own checklist versions (the product's
// version 1 stays for everyone). Version numbers come from a sequence: a municipality cannot see
// another's versions, so it could not pick the next free number itself. See ADR 0060.

const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class ReviewChecklistVersions1733852000000 implements MigrationInterface {
  name = 'ReviewChecklistVersions1733852000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE review_checklist_version_seq START 2 OWNED BY review_checklist.version`);
    await q.query(`ALTER TABLE review_checklist ALTER COLUMN version SET DEFAULT nextval('review_checklist_version_seq')`);
    await q.query(`GRANT USAGE ON SEQUENCE review_checklist_version_seq TO bu_api`);
    // A municipality's own versions only; the product's (municipality NULL) are read-only for the API.
    await q.query(`GRANT INSERT ON review_checklist, review_checklist_item TO bu_api`);
    await q.query(
      `CREATE POLICY bu_api_insert ON review_checklist FOR INSERT TO bu_api WITH CHECK (municipality_code IS NOT NULL AND ${IN_SCOPE})`,
    );
    // Items follow their version: seen when it is, added only to a version of the own municipality.
    const version = (own: boolean) =>
      `EXISTS (SELECT 1 FROM review_checklist c WHERE c.version = review_checklist_item.version${own ? ' AND c.municipality_code IS NOT NULL' : ''})`;
    await q.query(`ALTER TABLE review_checklist_item ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_scope ON review_checklist_item FOR SELECT TO bu_api USING (${version(false)})`);
    await q.query(`CREATE POLICY bu_api_insert ON review_checklist_item FOR INSERT TO bu_api WITH CHECK (${version(true)})`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP POLICY bu_api_insert ON review_checklist_item`);
    await q.query(`DROP POLICY bu_api_scope ON review_checklist_item`);
    await q.query(`ALTER TABLE review_checklist_item DISABLE ROW LEVEL SECURITY`);
    await q.query(`DROP POLICY bu_api_insert ON review_checklist`);
    await q.query(`REVOKE INSERT ON review_checklist, review_checklist_item FROM bu_api`);
    await q.query(`ALTER TABLE review_checklist ALTER COLUMN version DROP DEFAULT`);
    await q.query(`DROP SEQUENCE review_checklist_version_seq`);
  }
}
