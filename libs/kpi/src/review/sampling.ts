import { DEFAULT_SETTINGS, type KpiSettings } from '../settings';
import { ACTIVE_AT } from '@bu/rules';
import { CASE_TEAM, IN_SCOPE } from '../sql';
import type { Query } from '../types';

// Drawing a review round's cases at its date D, by the catalogue's conventions: a case is open at
// D when opened <= D and (closed empty or >= D); its caseworker is the responsible one at D from
// the assignment history (as caseload.open_cases), its team that caseworker's (CASE_TEAM).
//
// Reproducible: the cases are ordered by md5(seed || ':' || case number), ties by case number,
// and the first n are taken (per caseworker, or in all). The same seed on the same data gives the
// same cases; another seed another order. Cases in `skip` (reviewed in the last 12 months) are
// never drawn.

export interface SampledCase {
  source: string;
  case: string;
  /** The responsible caseworker at D (id in the source), null when nobody. */
  caseworker: string | null;
  team: string;
}

export interface Sample {
  /** How many cases the sampling asked for (per caseworker: n × the caseworkers holding open cases at D). */
  requested: number;
  cases: SampledCase[];
}

export interface SampleScope {
  municipality: number;
  asOf: string;
  /** A team leader's teams; undefined: the whole municipality. */
  teams?: string[];
  settings?: KpiSettings;
}

/** $1 municipality, $2 D, ($3, $4 unused), $5 teams, $6 intake team, $7 seed, $8 n, $9 skipped cases, $10 family or paragraph. */
const params = (s: SampleScope, seed: number, n: number, skip: string[], family: string | null) => [
  s.municipality,
  s.asOf,
  s.asOf,
  s.asOf,
  s.teams ?? null,
  (s.settings ?? DEFAULT_SETTINGS).intake_team,
  seed,
  n,
  skip,
  family,
];

const OPEN_IN_SCOPE = `
  ${CASE_TEAM},
  open_case AS (
    SELECT ct.*, md5($7::bigint::text || ':' || ct.case_id) AS draw
    FROM case_team ct
    WHERE ct.opened <= $2::date AND (ct.closed IS NULL OR ct.closed >= $2::date) AND ${IN_SCOPE('ct')}
  )`;

/**
 * The open cases (as `o`) that meet `where` (on `o`), each case number once: a number open at D in
 * two case systems run side by side is drawn as the newer of its cases that meet it (a round's case
 * numbers are unique: its pages and answers are by number).
 */
const ONCE = (where: string) =>
  `(SELECT DISTINCT ON (o.case_id) o.* FROM open_case o WHERE ${where} ORDER BY o.case_id, o.opened DESC, o.source) o`;

const ROW = `source, case_id AS case, worker_id AS caseworker, team`;

/** n cases per caseworker among the cases open at D that the caseworker is responsible for (fewer when the caseworker has fewer). */
export async function samplePerCaseworker(query: Query, scope: SampleScope, n: number, seed: number, skip: string[]): Promise<Sample> {
  const [{ workers }] = await query<{ workers: number }>(
    `WITH ${OPEN_IN_SCOPE}, p AS (SELECT $7::bigint, $8::int, $9::text[], $10::text)
     SELECT count(DISTINCT worker_id)::int AS workers FROM ${ONCE('o.worker_id IS NOT NULL')}`,
    params(scope, seed, n, skip, null),
  );
  const cases = await query<SampledCase>(
    `WITH ${OPEN_IN_SCOPE}, p AS (SELECT $10::text),
     ranked AS (
       SELECT o.*, row_number() OVER (PARTITION BY o.worker_id ORDER BY o.draw, o.case_id) AS rank
       FROM ${ONCE('o.worker_id IS NOT NULL AND NOT (o.case_id = ANY ($9::text[]))')}
     )
     SELECT ${ROW} FROM ranked WHERE rank <= $8::int ORDER BY worker_id, rank`,
    params(scope, seed, n, skip, null),
  );
  return { requested: workers * n, cases };
}

/** n cases among the cases open at D with a measure of the family active at D. */
export async function sampleByFamily(
  query: Query,
  scope: SampleScope,
  family: 'placement' | 'preventive',
  n: number,
  seed: number,
  skip: string[],
): Promise<Sample> {
  const cases = await query<SampledCase>(
    `WITH ${OPEN_IN_SCOPE}
     SELECT ${ROW} FROM ${ONCE(`NOT (o.case_id = ANY ($9::text[]))
       AND EXISTS (SELECT 1 FROM measure m WHERE m.municipality_code = $1 AND m.source = o.source AND m.case_id = o.case_id
                     AND m.family = $10::text AND ${ACTIVE_AT('m')})`)}
     ORDER BY o.draw, o.case_id LIMIT $8::int`,
    params(scope, seed, n, skip, family),
  );
  return { requested: n, cases };
}

/**
 * n cases among the cases open at D with a measure active at D under the legal paragraph: the
 * measure's normalised legal basis (`measure.paragraph`, e.g. "SEL § 52, stk. 3, nr. 7") is the
 * paragraph itself or a part of it ("SEL § 52" takes "SEL § 52, stk. 3, nr. 7", not "SEL § 52 a").
 * `paragraph` is normalised as the ETL normalises it (parseLegalBasis(..).text).
 */
export async function sampleByParagraph(
  query: Query,
  scope: SampleScope,
  paragraph: string,
  n: number,
  seed: number,
  skip: string[],
): Promise<Sample> {
  const cases = await query<SampledCase>(
    `WITH ${OPEN_IN_SCOPE}
     SELECT ${ROW} FROM ${ONCE(`NOT (o.case_id = ANY ($9::text[]))
       AND EXISTS (SELECT 1 FROM measure m WHERE m.municipality_code = $1 AND m.source = o.source AND m.case_id = o.case_id
                     AND (m.paragraph = $10::text OR left(m.paragraph, length($10::text) + 1) = $10::text || ',')
                     AND ${ACTIVE_AT('m')})`)}
     ORDER BY o.draw, o.case_id LIMIT $8::int`,
    params(scope, seed, n, skip, paragraph),
  );
  return { requested: n, cases };
}

export interface ChosenCase extends SampledCase {
  /** Whether the case was opened on or before D. */
  openedByD: boolean;
}

/**
 * The cases of the municipality chosen by hand (open or not at D), with caseworker and team at D;
 * a case number that is not the municipality's, or outside the team scope, is left out. A number in
 * two case systems is the case opened by D, the newer one if both were.
 */
export async function chosenCases(query: Query, scope: SampleScope, cases: string[]): Promise<ChosenCase[]> {
  return query<ChosenCase>(
    `WITH ${CASE_TEAM}, p AS (SELECT $7::bigint, $8::int, $10::text)
     SELECT DISTINCT ON (ct.case_id) ct.source, ct.case_id AS case, ct.worker_id AS caseworker, ct.team, ct.opened <= $2::date AS "openedByD"
     FROM case_team ct WHERE ct.case_id = ANY ($9::text[]) AND ${IN_SCOPE('ct')}
     ORDER BY ct.case_id, ct.opened <= $2::date DESC, ct.opened DESC, ct.source`,
    params(scope, 0, 0, cases, null),
  );
}
