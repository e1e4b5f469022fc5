import { MigrationInterface, QueryRunner } from 'typeorm';

// A municipality's CVR number, registered by the operator (`npm run admin -- municipality cvr`):
// a KOMBIT privilege group `<CVR>:<URI>` gives access only in the municipality whose CVR it carries
// (docs/SSO.md). One municipality per CVR number; none until registered.
export class MunicipalityCvr1733920700000 implements MigrationInterface {
  name = 'MunicipalityCvr1733920700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipality ADD COLUMN cvr text UNIQUE CHECK (cvr ~ '^[0-9]{8}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE municipality DROP COLUMN cvr`);
  }
}
