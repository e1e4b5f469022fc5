import { MigrationInterface, QueryRunner } from 'typeorm';

// Political goals (from the municipality's child and youth policy) and the administration's
// written comments per budget line and goal and period.
export class GoalsAndComments1732200000000 implements MigrationInterface {
  name = 'GoalsAndComments1732200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE political_goal (
        id serial PRIMARY KEY,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        kpi_id text NOT NULL,
        title text NOT NULL,
        policy_text text,
        direction text NOT NULL CHECK (direction IN ('>=', '<=')),
        target numeric NOT NULL,
        tolerance numeric NOT NULL DEFAULT 0 CHECK (tolerance >= 0),
        valid_from date,
        valid_to date,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE admin_comment (
        id serial PRIMARY KEY,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        subject_type text NOT NULL CHECK (subject_type IN ('budget', 'goal')),
        subject_key text NOT NULL,
        period text NOT NULL,
        text text NOT NULL,
        author text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (municipality_code, subject_type, subject_key, period)
      );
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE admin_comment, political_goal');
  }
}
