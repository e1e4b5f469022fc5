import { MigrationInterface, QueryRunner } from 'typeorm';

// Named comparison groups for benchmarks, saved per municipality.
export class ComparisonGroups1732300000000 implements MigrationInterface {
  name = 'ComparisonGroups1732300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE comparison_group (
        id serial PRIMARY KEY,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        name text NOT NULL,
        members smallint[] NOT NULL,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (municipality_code, name)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE comparison_group');
  }
}
