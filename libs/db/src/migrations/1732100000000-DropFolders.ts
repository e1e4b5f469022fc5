import { MigrationInterface, QueryRunner } from 'typeorm';

// Drop folders: where a case system or the financial system delivers its nightly export. A
// scheduled job checks each and imports a new, complete export once.
export class DropFolders1732100000000 implements MigrationInterface {
  name = 'DropFolders1732100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE drop_folder (
        id serial PRIMARY KEY,
        municipality_code smallint REFERENCES municipality(code),
        source text NOT NULL CHECK (source IN ('dubu','csc','economy','statistics')),
        path text NOT NULL UNIQUE,
        -- checksum seen on the previous check: the same twice in a row means the delivery is complete
        seen_checksum text,
        imported_checksum text,
        checked_at timestamptz,
        last_error text
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE drop_folder');
  }
}
