import { MigrationInterface, QueryRunner } from 'typeorm';

// The login limits' table is older than the API's database role (bu_api is made by
// ApiRoleRowSecurity, which runs after it), so on a new cluster its grant was skipped. The table
// has no municipality and no row-level security: its keys are usernames and addresses.
export class ApiGrantsForSessions1733700000000 implements MigrationInterface {
  name = 'ApiGrantsForSessions1733700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON login_attempt TO bu_api`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`REVOKE ALL ON login_attempt FROM bu_api`);
  }
}
