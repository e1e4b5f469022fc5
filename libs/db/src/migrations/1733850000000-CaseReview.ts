import { MigrationInterface, QueryRunner } from 'typeorm';

// Case review (issue 16): ledelsestilsyn and sagsgennemgang. A round draws cases (at random per
// caseworker or by measure family, or chosen by hand with a forklæde) at its date, and each case
// gets the checklist's answers: the formal items from the data (libs/kpi/src/review), the
// professional items from the reviewer. The checklist is data, versioned; a round keeps the
// version it started with. See ADR 0060.

const IN_SCOPE = `((SELECT bu_scope_all()) OR municipality_code = ANY ((SELECT bu_scope_codes())::smallint[]))`;

/** The contract's default checklist (../shared/domain/CASE-REVIEW.md), version 1. */
const DEFAULT_ITEMS: [string, 'formal' | 'professional', string][] = [
  [
    'formal.investigation_4m',
    'formal',
    'Børnefaglig undersøgelse findes og er afsluttet inden for 4 måneder (eller åben og ikke over fristen)',
  ],
  ['formal.plan_on_time', 'formal', 'Handleplan / barnets plan rettidig for hver foranstaltning'],
  ['formal.child_conversation', 'formal', 'Børnesamtale før hver afgørelse'],
  ['formal.followup_on_time', 'formal', 'Opfølgning rettidig på hver aktiv foranstaltning'],
  ['formal.supervision_visits', 'formal', 'Anbringelse: to tilsynsbesøg inden for de seneste 12 måneder'],
  ['formal.talked_alone', 'formal', 'Anbringelse: talt alene med barnet ved hvert tilsynsbesøg'],
  ['formal.notification_24h', 'formal', 'Underretninger vurderet inden for 24 timer'],
  ['formal.decision_before_start', 'formal', 'Bevilling dateret senest ved foranstaltningens start'],
  ['pro.target_group', 'professional', 'Barnet er i målgruppen (personkredsen) for foranstaltningen'],
  ['pro.child_view', 'professional', 'Barnets egen holdning er dokumenteret'],
  ['pro.network', 'professional', 'Familiens netværk er afdækket og inddraget'],
  ['pro.analysis', 'professional', 'Analyse og konklusion er begrundet; opfølgningen vurderer barnets udvikling mod planens mål'],
  ['pro.documentation', 'professional', 'Dokumentationen er præcis (tid, sted, deltagere; partshøring)'],
  ['pro.fit', 'professional', 'Foranstaltningen passer til behovet og er så tæt på barnets almindelige liv som muligt'],
];

export class CaseReview1733850000000 implements MigrationInterface {
  name = 'CaseReview1733850000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      -- A checklist version: the product's (municipality_code NULL) or one municipality's own.
      CREATE TABLE review_checklist (
        version integer PRIMARY KEY,
        municipality_code smallint REFERENCES municipality(code),
        title text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE review_checklist_item (
        version integer NOT NULL REFERENCES review_checklist(version),
        item_id text NOT NULL CHECK (item_id ~ '^(formal|pro)\\.[a-z0-9_]+$'),
        kind text NOT NULL CHECK (kind IN ('formal', 'professional')),
        position smallint NOT NULL,
        title text NOT NULL,
        PRIMARY KEY (version, item_id)
      );

      CREATE TABLE review_round (
        id serial PRIMARY KEY,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
        purpose text,
        as_of date NOT NULL,
        checklist_version integer NOT NULL REFERENCES review_checklist(version),
        -- The sampling as asked (kind, n, family, seed: the seed is always stored), and what it gave.
        sampling jsonb NOT NULL,
        requested integer NOT NULL,
        found integer NOT NULL,
        -- The team leader's teams the round was drawn among; NULL: the whole municipality.
        teams text[],
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX review_round_municipality_idx ON review_round (municipality_code, as_of DESC);

      -- A case in a round: its caseworker and team at the round's date, and the reviewer's texts.
      CREATE TABLE review_case (
        round_id integer NOT NULL REFERENCES review_round(id) ON DELETE CASCADE,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        source text NOT NULL,
        case_id text NOT NULL,
        position integer NOT NULL,
        caseworker text,
        team text NOT NULL,
        chosen boolean NOT NULL DEFAULT false,
        forklaede text,
        summary text,
        learning_question text,
        status text NOT NULL DEFAULT 'ikke_startet' CHECK (status IN ('ikke_startet', 'i_gang', 'faerdig')),
        updated_by text,
        updated_at timestamptz,
        PRIMARY KEY (round_id, case_id)
      );
      CREATE INDEX review_case_case_idx ON review_case (municipality_code, case_id);

      -- One item's answer for a case. Formal items: data_answer is the data's, answer the one in
      -- force (the reviewer's when source = 'reviewer', with the note saying why).
      CREATE TABLE review_answer (
        round_id integer NOT NULL,
        case_id text NOT NULL,
        municipality_code smallint NOT NULL REFERENCES municipality(code),
        item_id text NOT NULL,
        answer text CHECK (answer IN ('ja', 'delvist', 'nej', 'ikke_relevant')),
        data_answer text CHECK (data_answer IN ('ja', 'nej', 'ikke_relevant')),
        source text NOT NULL CHECK (source IN ('data', 'reviewer')),
        note text,
        PRIMARY KEY (round_id, case_id, item_id),
        FOREIGN KEY (round_id, case_id) REFERENCES review_case(round_id, case_id) ON DELETE CASCADE
      );
    `);
    await q.query(`INSERT INTO review_checklist (version, municipality_code, title) VALUES (1, NULL, 'Standardtjekliste')`);
    for (const [i, [id, kind, title]] of DEFAULT_ITEMS.entries()) {
      await q.query(`INSERT INTO review_checklist_item (version, item_id, kind, position, title) VALUES (1, $1, $2, $3, $4)`, [
        id,
        kind,
        i + 1,
        title,
      ]);
    }
    // The product's checklists are everyone's; a municipality's own only its users'.
    await q.query(`GRANT SELECT ON review_checklist, review_checklist_item TO bu_api`);
    await q.query(`ALTER TABLE review_checklist ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY bu_api_scope ON review_checklist FOR SELECT TO bu_api USING (municipality_code IS NULL OR ${IN_SCOPE})`);
    for (const table of ['review_round', 'review_case', 'review_answer']) {
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO bu_api`);
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY bu_api_scope ON ${table} FOR ALL TO bu_api USING ${IN_SCOPE} WITH CHECK ${IN_SCOPE}`);
    }
    await q.query(`GRANT USAGE ON SEQUENCE review_round_id_seq TO bu_api`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE review_answer, review_case, review_round, review_checklist_item, review_checklist`);
  }
}
