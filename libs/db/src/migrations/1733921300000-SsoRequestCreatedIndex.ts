import { MigrationInterface, QueryRunner } from 'typeorm';

// Logins in flight that never came back are found by provider and age (the API's prune, the daily
// purge): an index, so that finding them is not a search of every login started in the last
// twenty minutes, which a flood of anonymous login starts would make large.
export class SsoRequestCreatedIndex1733921300000 implements MigrationInterface {
  name = 'SsoRequestCreatedIndex1733921300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX sso_request_provider_created ON sso_request (provider, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX sso_request_provider_created`);
  }
}
