import { MigrationInterface, QueryRunner } from 'typeorm';

// Case review (issue 16, point 4): the dialogue meetings of a round (date, participants by role,
// the cases discussed, notes) and the municipality's action areas (indsatsområder: title, why,
// owner, due date, status, the checklist items they answer and an optional KPI to follow).
// See ADR 0060.

const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

export class ReviewMeetingsAndActions1733851000000 implements MigrationInterface {
  name = 'ReviewMeetingsAndActions1733851000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE review_meeting (
        id serial PRIMARY KEY,
        round_id integer NOT NULL REFERENCES review_round(id) ON DELETE CASCADE,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        held_on date NOT NULL,
        -- Roles, not necessarily names ("Rådgivere", "Teamleder", "Faglig koordinator").
        participants text[] NOT NULL DEFAULT '{}',
        cases text[] NOT NULL DEFAULT '{}',
        notes text,
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX review_meeting_round_idx ON review_meeting (round_id);

      CREATE TABLE review_action_area (
        id serial PRIMARY KEY,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        -- The round it came out of, when it did.
        round_id integer REFERENCES review_round(id) ON DELETE SET NULL,
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        why text,
        -- A role or a team.
        owner text NOT NULL,
        due date,
        status text NOT NULL DEFAULT 'planlagt' CHECK (status IN ('planlagt', 'i_gang', 'gennemfoert', 'opgivet')),
        -- The findings it answers: checklist item ids.
        items text[] NOT NULL DEFAULT '{}',
        kpi_id text,
        created_by text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX review_action_area_municipality_idx ON review_action_area (municipality_code, status);
    `);
    for (const table of ['review_meeting', 'review_action_area']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO bu_api`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY bu_api_scope ON ${table} FOR ALL TO bu_api USING ${IN_SCOPE} WITH CHECK ${IN_SCOPE}`);
      await q.query(`GRANT USAGE ON SEQUENCE ${table}_id_seq TO bu_api`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE review_action_area, review_meeting`);
  }
}
