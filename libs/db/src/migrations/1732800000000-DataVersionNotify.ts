import { MigrationInterface, QueryRunner } from 'typeorm';

// Every move of the data version is also announced (NOTIFY data_version, sent at commit), so an API
// process learns of an import by LISTEN instead of reading the version on every request. The payload
// is empty: PostgreSQL folds the many identical notifications of one import transaction into one.
export class DataVersionNotify1732800000000 implements MigrationInterface {
  name = 'DataVersionNotify1732800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE data_version SET version = version + 1, changed_at = now();
        PERFORM pg_notify('data_version', '');
        RETURN NULL;
      END $$;
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE data_version SET version = version + 1, changed_at = now();
        RETURN NULL;
      END $$;
    `);
  }
}
