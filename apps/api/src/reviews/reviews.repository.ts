import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  caseFacts,
  chosenCases,
  formalAnswers,
  loadSettings,
  sampleByFamily,
  sampleByParagraph,
  samplePerCaseworker,
  type CaseFacts,
  type CaseKey,
  type ChosenCase,
  type FormalAnswer,
  type FormalItemId,
  type KpiSettings,
  type Query,
  type Sample,
  type SampleScope,
} from '@bu/kpi';

export interface ChecklistItemRow {
  id: string;
  kind: 'formal' | 'professional';
  title: string;
}

export interface RoundRow {
  id: number;
  municipality: number;
  title: string;
  purpose: string | null;
  asOf: string;
  checklistVersion: number;
  sampling: Record<string, unknown>;
  requested: number;
  found: number;
  teams: string[] | null;
  createdBy: string;
  createdAt: string;
}

export interface CaseRow {
  source: string;
  case: string;
  caseworker: string | null;
  team: string;
  chosen: boolean;
  forklaede: string | null;
  summary: string | null;
  learningQuestion: string | null;
  status: 'ikke_startet' | 'i_gang' | 'faerdig';
}

export interface AnswerRow {
  case: string;
  id: string;
  answer: 'ja' | 'delvist' | 'nej' | 'ikke_relevant' | null;
  dataAnswer: FormalAnswer | null;
  source: 'data' | 'reviewer';
  note: string | null;
}

export interface RoundWrite {
  municipality: number;
  title: string;
  purpose: string | null;
  asOf: string;
  checklistVersion: number;
  sampling: Record<string, unknown>;
  requested: number;
  teams: string[] | null;
  createdBy: string;
  cases: (Omit<CaseRow, 'summary' | 'learningQuestion' | 'status'> & { position: number })[];
  answers: AnswerRow[];
}

export interface CaseChange {
  status?: CaseRow['status'];
  forklaede?: string | null;
  summary?: string | null;
  learningQuestion?: string | null;
  answers: { id: string; answer: AnswerRow['answer']; source: 'data' | 'reviewer'; note: string | null }[];
  updatedBy: string;
}

export interface ResultRow {
  team: string;
  /** '' for nobody. */
  caseworker: string;
  quarter: string;
  id: string;
  kind: 'formal' | 'professional';
  position: number;
  judged: number;
  notMet: number;
}

export interface MeetingRow {
  id: number;
  round: number;
  date: string;
  participants: string[];
  cases: string[];
  notes: string | null;
  createdBy: string;
  updatedAt: string;
}

export type MeetingWrite = Pick<MeetingRow, 'date' | 'participants' | 'cases' | 'notes'>;

export interface ActionAreaRow {
  id: number;
  municipality: number;
  round: number | null;
  title: string;
  why: string | null;
  owner: string;
  due: string | null;
  status: 'planlagt' | 'i_gang' | 'gennemfoert' | 'opgivet';
  items: string[];
  kpi: string | null;
  createdBy: string;
  updatedAt: string;
}

export type ActionAreaWrite = Omit<ActionAreaRow, 'id' | 'createdBy' | 'updatedAt'>;

const STAMP = (column: string) => `to_char(${column} AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI:SS')`;

const MEETING = `id, round_id AS round, to_char(held_on, 'YYYY-MM-DD') AS date, participants, cases, notes, created_by AS "createdBy",
  ${STAMP('updated_at')} AS "updatedAt"`;

const ACTION_AREA = `id, municipality_code AS municipality, round_id AS round, title, why, owner, to_char(due, 'YYYY-MM-DD') AS due, status, items,
  kpi_id AS kpi, created_by AS "createdBy", ${STAMP('updated_at')} AS "updatedAt"`;

const ROUND = `r.id, r.municipality_code AS municipality, r.title, r.purpose, to_char(r.as_of, 'YYYY-MM-DD') AS "asOf",
  r.checklist_version AS "checklistVersion", r.sampling, r.requested, r.found, r.teams, r.created_by AS "createdBy",
  to_char(r.created_at AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI:SS') AS "createdAt"`;

const CASE = `source, case_id AS case, caseworker, team, chosen, forklaede, summary, learning_question AS "learningQuestion", status`;

export interface ExampleRow {
  id: number;
  municipality: number;
  title: string;
  text: string;
  createdBy: string;
  updatedAt: string;
}

const EXAMPLE = `id, municipality_code AS municipality, title, body AS text, created_by AS "createdBy", ${STAMP('updated_at')} AS "updatedAt"`;

/**
 * Review rounds, their cases and answers (review_* tables), and the case data they are drawn and
 * answered from (through @bu/kpi). Queries run on the request's scoped connection (row-level security).
 */
@Injectable()
export class ReviewsRepository {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  /** What the KPI library's review SQL runs through. */
  private readonly query: Query = (sql, params) => this.db.query(sql, params);

  settings(municipality: number): Promise<KpiSettings> {
    return loadSettings(this.query, municipality);
  }

  /** The newest checklist version the municipality may use (its own or the product's). */
  async latestChecklist(municipality: number): Promise<number | null> {
    const [row] = await this.db.query(
      `SELECT max(version) AS version FROM review_checklist WHERE municipality_code IS NULL OR municipality_code = $1`,
      [municipality],
    );
    return row?.version ?? null;
  }

  /** The checklist's items in order; empty when the version is not the municipality's to use. */
  checklist(version: number, municipality: number): Promise<ChecklistItemRow[]> {
    return this.db.query(
      `SELECT i.item_id AS id, i.kind, i.title FROM review_checklist_item i JOIN review_checklist c ON c.version = i.version
       WHERE i.version = $1 AND (c.municipality_code IS NULL OR c.municipality_code = $2) ORDER BY i.position`,
      [version, municipality],
    );
  }

  /** Case numbers in a round of the municipality dated on or after D − 12 months (reviewed in the last 12 months). */
  async reviewedSince(municipality: number, asOf: string): Promise<string[]> {
    const rows: { case_id: string }[] = await this.db.query(
      `SELECT DISTINCT c.case_id FROM review_case c JOIN review_round r ON r.id = c.round_id
       WHERE r.municipality_code = $1 AND r.as_of >= ($2::date - interval '12 months')::date`,
      [municipality, asOf],
    );
    return rows.map((r) => r.case_id);
  }

  samplePerCaseworker(scope: SampleScope, n: number, seed: number, skip: string[]): Promise<Sample> {
    return samplePerCaseworker(this.query, scope, n, seed, skip);
  }

  sampleByFamily(scope: SampleScope, family: 'placement' | 'preventive', n: number, seed: number, skip: string[]): Promise<Sample> {
    return sampleByFamily(this.query, scope, family, n, seed, skip);
  }

  sampleByParagraph(scope: SampleScope, paragraph: string, n: number, seed: number, skip: string[]): Promise<Sample> {
    return sampleByParagraph(this.query, scope, paragraph, n, seed, skip);
  }

  chosenCases(scope: SampleScope, cases: string[]): Promise<ChosenCase[]> {
    return chosenCases(this.query, scope, cases);
  }

  formalAnswers(
    municipality: number,
    asOf: string,
    cases: CaseKey[],
    settings: KpiSettings,
  ): Promise<Record<string, Record<FormalItemId, FormalAnswer>>> {
    return formalAnswers(this.query, municipality, asOf, cases, settings);
  }

  caseFacts(municipality: number, asOf: string, source: string, caseId: string, settings: KpiSettings): Promise<CaseFacts | null> {
    return caseFacts(this.query, municipality, asOf, source, caseId, settings);
  }

  /** Writes the round with its cases and their first answers in one statement; its id. */
  async createRound(r: RoundWrite): Promise<number> {
    const [row] = await this.db.query(
      `WITH r AS (
         INSERT INTO review_round (municipality_code, title, purpose, as_of, checklist_version, sampling, requested, found, teams, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id),
       c AS (
         INSERT INTO review_case (round_id, municipality_code, source, case_id, position, caseworker, team, chosen, forklaede)
         SELECT r.id, $1, x.source, x.case, x.position, x.caseworker, x.team, x.chosen, x.forklaede
         FROM r, jsonb_to_recordset($11::jsonb) AS x(source text, "case" text, position int, caseworker text, team text, chosen boolean, forklaede text)),
       a AS (
         INSERT INTO review_answer (round_id, case_id, municipality_code, item_id, answer, data_answer, source, note)
         SELECT r.id, y.case, $1, y.id, y.answer, y."dataAnswer", y.source, y.note
         FROM r, jsonb_to_recordset($12::jsonb) AS y("case" text, id text, answer text, "dataAnswer" text, source text, note text))
       SELECT id FROM r`,
      [
        r.municipality,
        r.title,
        r.purpose,
        r.asOf,
        r.checklistVersion,
        r.sampling,
        r.requested,
        r.cases.length,
        r.teams,
        r.createdBy,
        JSON.stringify(r.cases),
        JSON.stringify(r.answers),
      ],
    );
    return row.id;
  }

  /**
   * The municipality's rounds with the number of cases (in the teams, when given) and how many are
   * done. With teams: only rounds holding a case of the teams, or drawn among them (found nothing).
   */
  rounds(municipality: number, teams: string[] | null): Promise<(RoundRow & { cases: number; done: number })[]> {
    return this.db.query(
      `SELECT ${ROUND}, count(c.case_id)::int AS cases, count(c.case_id) FILTER (WHERE c.status = 'faerdig')::int AS done
       FROM review_round r LEFT JOIN review_case c ON c.round_id = r.id AND ($2::text[] IS NULL OR c.team = ANY ($2::text[]))
       WHERE r.municipality_code = $1
       GROUP BY r.id HAVING $2::text[] IS NULL OR count(c.case_id) > 0 OR r.teams && $2::text[]
       ORDER BY r.as_of DESC, r.id DESC`,
      [municipality, teams],
    );
  }

  async round(id: number, municipality: number | null): Promise<RoundRow | null> {
    const [row] = await this.db.query(
      `SELECT ${ROUND} FROM review_round r WHERE r.id = $1 AND ($2::smallint IS NULL OR r.municipality_code = $2)`,
      [id, municipality],
    );
    return row ?? null;
  }

  /** The round's cases in its order (in the teams, when given), one or all. */
  cases(round: number, teams: string[] | null, caseId?: string): Promise<CaseRow[]> {
    return this.db.query(
      `SELECT ${CASE} FROM review_case WHERE round_id = $1 AND ($2::text[] IS NULL OR team = ANY ($2::text[])) AND ($3::text IS NULL OR case_id = $3)
       ORDER BY position`,
      [round, teams, caseId ?? null],
    );
  }

  answers(round: number, cases: string[]): Promise<AnswerRow[]> {
    return this.db.query(
      `SELECT case_id AS case, item_id AS id, answer, data_answer AS "dataAnswer", source, note FROM review_answer
       WHERE round_id = $1 AND case_id = ANY ($2::text[])`,
      [round, cases],
    );
  }

  /** Changes the case's texts, status and answers together. */
  async updateCase(round: number, caseId: string, change: CaseChange): Promise<void> {
    await this.db.transaction(async (m) => {
      const set: string[] = ['updated_by = $3', 'updated_at = now()'];
      const values: unknown[] = [round, caseId, change.updatedBy];
      const column = { status: 'status', forklaede: 'forklaede', summary: 'summary', learningQuestion: 'learning_question' } as const;
      for (const key of Object.keys(column) as (keyof typeof column)[]) {
        if (change[key] === undefined) continue;
        values.push(change[key]);
        set.push(`${column[key]} = $${values.length}`);
      }
      await m.query(`UPDATE review_case SET ${set.join(', ')} WHERE round_id = $1 AND case_id = $2`, values);
      for (const a of change.answers) {
        await m.query(
          `UPDATE review_answer SET answer = CASE WHEN $4 = 'data' THEN data_answer ELSE $3 END, source = $4, note = $5
           WHERE round_id = $1 AND case_id = $2 AND item_id = $6`,
          [round, caseId, a.answer, a.source, a.note, a.id],
        );
      }
    });
  }

  /** The round's dialogue meetings, oldest first; one when `meeting` is given. */
  meetings(round: number, meeting?: number): Promise<MeetingRow[]> {
    return this.db.query(
      `SELECT ${MEETING} FROM review_meeting WHERE round_id = $1 AND ($2::int IS NULL OR id = $2) ORDER BY held_on, id`,
      [round, meeting ?? null],
    );
  }

  async createMeeting(round: number, municipality: number, m: MeetingWrite, createdBy: string): Promise<number> {
    const [row] = await this.db.query(
      `INSERT INTO review_meeting (round_id, municipality_code, held_on, participants, cases, notes, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
      [round, municipality, m.date, m.participants, m.cases, m.notes, createdBy],
    );
    return row.id;
  }

  async updateMeeting(round: number, meeting: number, m: MeetingWrite): Promise<void> {
    await this.db.query(
      `UPDATE review_meeting SET held_on = $3, participants = $4, cases = $5, notes = $6, updated_at = now() WHERE round_id = $1 AND id = $2`,
      [round, meeting, m.date, m.participants, m.cases, m.notes],
    );
  }

  /** The municipality's action areas, open ones first by due date; one when `id` is given. */
  actionAreas(municipality: number, id?: number): Promise<ActionAreaRow[]> {
    return this.db.query(
      `SELECT ${ACTION_AREA} FROM review_action_area WHERE municipality_code = $1 AND ($2::int IS NULL OR id = $2)
       ORDER BY status IN ('gennemfoert', 'opgivet'), due NULLS LAST, id`,
      [municipality, id ?? null],
    );
  }

  async createActionArea(a: ActionAreaWrite, createdBy: string): Promise<number> {
    const [row] = await this.db.query(
      `INSERT INTO review_action_area (municipality_code, round_id, title, why, owner, due, status, items, kpi_id, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
      [a.municipality, a.round, a.title, a.why, a.owner, a.due, a.status, a.items, a.kpi, createdBy],
    );
    return row.id;
  }

  /**
   * Whether the municipality's action area existed (and was changed); with `expected`, only while
   * it is still linked to that round (the caller's check was made on it).
   */
  async updateActionArea(id: number, a: ActionAreaWrite, expected?: { round: number | null; owner: string }): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE review_action_area SET round_id = $3, title = $4, why = $5, owner = $6, due = $7, status = $8, items = $9, kpi_id = $10, updated_at = now()
       WHERE id = $1 AND municipality_code = $2 AND (NOT $11 OR (round_id IS NOT DISTINCT FROM $12::int AND owner = $13))`,
      [
        id,
        a.municipality,
        a.round,
        a.title,
        a.why,
        a.owner,
        a.due,
        a.status,
        a.items,
        a.kpi,
        expected !== undefined,
        expected?.round ?? null,
        expected?.owner ?? null,
      ],
    );
    return count > 0;
  }

  /** Every checklist item id of the versions the municipality may use. */
  async checklistItemIds(municipality: number): Promise<string[]> {
    const rows: { id: string }[] = await this.db.query(
      `SELECT DISTINCT i.item_id AS id FROM review_checklist_item i JOIN review_checklist c ON c.version = i.version
       WHERE c.municipality_code IS NULL OR c.municipality_code = $1`,
      [municipality],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Answers of finished cases in rounds dated from .. to (in the teams, when given), counted per
   * team, caseworker, quarter of the round's date and item: judged = ja, delvist or nej; not met = nej or delvist.
   */
  results(municipality: number, from: string, to: string, teams: string[] | null): Promise<ResultRow[]> {
    return this.db.query(
      `SELECT c.team, coalesce(c.caseworker, '') AS caseworker, to_char(r.as_of, 'YYYY"K"Q') AS quarter, a.item_id AS id, i.kind,
              min(i.position) AS position,
              count(*) FILTER (WHERE a.answer IN ('ja', 'delvist', 'nej'))::int AS judged,
              count(*) FILTER (WHERE a.answer IN ('delvist', 'nej'))::int AS "notMet"
       FROM review_case c JOIN review_round r ON r.id = c.round_id
       JOIN review_answer a ON a.round_id = c.round_id AND a.case_id = c.case_id
       JOIN review_checklist_item i ON i.version = r.checklist_version AND i.item_id = a.item_id
       WHERE r.municipality_code = $1 AND r.as_of BETWEEN $2::date AND $3::date AND c.status = 'faerdig'
         AND ($4::text[] IS NULL OR c.team = ANY ($4::text[]))
       GROUP BY 1, 2, 3, 4, 5`,
      [municipality, from, to, teams],
    );
  }

  async reviewedCases(municipality: number, from: string, to: string, teams: string[] | null): Promise<number> {
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM review_case c JOIN review_round r ON r.id = c.round_id
       WHERE r.municipality_code = $1 AND r.as_of BETWEEN $2::date AND $3::date AND c.status = 'faerdig'
         AND ($4::text[] IS NULL OR c.team = ANY ($4::text[]))`,
      [municipality, from, to, teams],
    );
    return row.n;
  }

  async actionAreasByStatus(municipality: number): Promise<Record<string, number>> {
    const rows: { status: string; n: number }[] = await this.db.query(
      `SELECT status, count(*)::int AS n FROM review_action_area WHERE municipality_code = $1 GROUP BY status`,
      [municipality],
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** Each item's title in the newest checklist version (the municipality's or the product's) that holds it. */
  async itemTitles(municipality: number, ids: string[]): Promise<Record<string, string>> {
    const rows: { id: string; title: string }[] = await this.db.query(
      `SELECT DISTINCT ON (i.item_id) i.item_id AS id, i.title FROM review_checklist_item i JOIN review_checklist c ON c.version = i.version
       WHERE (c.municipality_code IS NULL OR c.municipality_code = $1) AND i.item_id = ANY ($2::text[])
       ORDER BY i.item_id, i.version DESC`,
      [municipality, ids],
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.title]));
  }

  /** The checklist versions the municipality may use, newest first, with their items. */
  async checklists(
    municipality: number,
  ): Promise<{ version: number; municipality: number | null; title: string; items: ChecklistItemRow[] }[]> {
    return this.db.query(
      `SELECT c.version, c.municipality_code AS municipality, c.title,
              coalesce((SELECT json_agg(json_build_object('id', i.item_id, 'kind', i.kind, 'title', i.title) ORDER BY i.position)
                        FROM review_checklist_item i WHERE i.version = c.version), '[]') AS items
       FROM review_checklist c WHERE c.municipality_code IS NULL OR c.municipality_code = $1 ORDER BY c.version DESC`,
      [municipality],
    );
  }

  /** Writes a new version of the municipality's checklist with its items; its number. */
  async createChecklist(municipality: number, title: string, items: ChecklistItemRow[]): Promise<number> {
    return this.db.transaction(async (m) => {
      const [row] = await m.query(`INSERT INTO review_checklist (municipality_code, title) VALUES ($1, $2) RETURNING version`, [
        municipality,
        title,
      ]);
      await m.query(
        `INSERT INTO review_checklist_item (version, item_id, kind, position, title)
         SELECT $1, x.id, x.kind, x.position, x.title FROM jsonb_to_recordset($2::jsonb) AS x(id text, kind text, position int, title text)`,
        [row.version, JSON.stringify(items.map((i, n) => ({ ...i, position: n + 1 })))],
      );
      return row.version as number;
    });
  }

  /** The municipality's child-perspective examples for the committee, newest first; one when `id` is given. */
  examples(municipality: number, id?: number): Promise<ExampleRow[]> {
    return this.db.query(
      `SELECT ${EXAMPLE} FROM review_example WHERE municipality_code = $1 AND ($2::int IS NULL OR id = $2) ORDER BY updated_at DESC, id DESC`,
      [municipality, id ?? null],
    );
  }

  async createExample(municipality: number, title: string, text: string, createdBy: string): Promise<number> {
    const [row] = await this.db.query(
      `INSERT INTO review_example (municipality_code, title, body, created_by) VALUES ($1, $2, $3, $4) RETURNING id`,
      [municipality, title, text, createdBy],
    );
    return row.id;
  }

  /** Whether the municipality's example existed (and was changed). */
  async updateExample(id: number, municipality: number, title: string, text: string): Promise<boolean> {
    const [, count] = await this.db.query(
      `UPDATE review_example SET title = $3, body = $4, updated_at = now() WHERE id = $1 AND municipality_code = $2`,
      [id, municipality, title, text],
    );
    return count > 0;
  }

  /** Whether the municipality's example existed (and was deleted). */
  async deleteExample(id: number, municipality: number): Promise<boolean> {
    const [, count] = await this.db.query(`DELETE FROM review_example WHERE id = $1 AND municipality_code = $2`, [id, municipality]);
    return count > 0;
  }

  /** Deletes the round with its cases, answers and meetings; its action areas stay, unlinked. */
  async deleteRound(id: number): Promise<void> {
    await this.db.query(`DELETE FROM review_round WHERE id = $1`, [id]);
  }
}
