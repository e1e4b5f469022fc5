import { MigrationInterface, QueryRunner } from 'typeorm';

// Case review (issue 16, CASE-REVIEW.md "Results and who sees what"): the child-perspective
// examples the chief writes for the committee, shown with the committee's aggregated results.
// Free text screened for CPR numbers and names before it is stored (the API). See ADR 0063.

const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class ReviewCommitteeExamples1733853000000 implements MigrationInterface {
  name = 'ReviewCommitteeExamples1733853000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE review_example (
        id serial PRIMARY KEY,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX review_example_municipality_idx ON review_example (municipality_code, updated_at);
    `);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON review_example TO bu_api`);
    await q.query(`ALTER TABLE review_example ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_scope ON review_example FOR ALL TO bu_api USING ${IN_SCOPE} WITH CHECK ${IN_SCOPE}`);
    await q.query(`GRANT USAGE ON SEQUENCE review_example_id_seq TO bu_api`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE review_example`);
  }
}
