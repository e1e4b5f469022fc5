import { MigrationInterface, QueryRunner } from 'typeorm';

// read_model_state records the digest of the builds that made a municipality's read models (ADR
// 0107): read models built by other builds (a worker of another version, rules since changed) are
// not current. The rows from before have none, so every municipality's read models are built again.
export class ReadModelBuild1733920400000 implements MigrationInterface {
  name = 'ReadModelBuild1733920400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE read_model_state ADD COLUMN build text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE read_model_state DROP COLUMN build`);
  }
}
