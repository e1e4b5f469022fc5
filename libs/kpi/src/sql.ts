// SQL shared by the KPIs. Parameters everywhere: $1 municipality, $2 as-of date D, $3 period
// start, $4 period end, $5 team scope (text[] or NULL for all), $6 intake team.

export const kpiParams = (
  ctx: { municipality: number; asOf: string; period: { from: string; to: string }; teams?: string[] },
  intakeTeam: string,
) => [ctx.municipality, ctx.asOf, ctx.period.from, ctx.period.to, ctx.teams ?? null, intakeTeam];

export { addMonthsSql, END_OF_D } from '@bu/rules';

/**
 * `instant` (a timestamptz) falls on a Copenhagen day from `from` to `to` (date expressions): the
 * same rows as `(instant AT TIME ZONE 'Europe/Copenhagen')::date BETWEEN from AND to` (local
 * midnight always exists here: the clock changes at 02:00 and 03:00), but as a range of instants,
 * so no row's time is converted.
 */
export const ON_LOCAL_DAYS = (instant: string, from: string, to: string) =>
  `${instant} >= ((${from})::timestamp AT TIME ZONE 'Europe/Copenhagen') AND ${instant} < (((${to}) + 1)::timestamp AT TIME ZONE 'Europe/Copenhagen')`;

/**
 * The CTE `params`: names every parameter's type, so a KPI that uses no period can share the
 * parameter list.
 */
export const PARAMS = `params AS (SELECT $3::date AS period_from, $4::date AS period_to, $5::text[] AS teams, $6::text AS intake_team)`;

/**
 * The responsible caseworker at D of the case `c` (an alias with source and case_id): the latest
 * assignment holding D; '' is nobody (NULL).
 */
export const WORKER_AT_D = (c: string) => `(SELECT NULLIF(a.worker_id, '') FROM assignment a
        WHERE a.municipality_code = $1 AND a.source = ${c}.source AND a.case_id = ${c}.case_id
          AND a.valid_from <= $2::date AND (a.valid_to IS NULL OR a.valid_to >= $2::date)
        ORDER BY a.valid_from DESC, a.worker_id DESC LIMIT 1)`;

/**
 * The team at D of the case `c`: the team of the responsible caseworker at D, else of the last
 * caseworker assigned before D, else the intake team.
 */
export const TEAM_AT_D = (c: string) => `coalesce((SELECT w.team FROM assignment a
        JOIN caseworker w ON w.municipality_code = a.municipality_code AND w.source = a.source AND w.worker_id = a.worker_id
        WHERE a.municipality_code = $1 AND a.source = ${c}.source AND a.case_id = ${c}.case_id
          AND a.valid_from <= $2::date AND a.worker_id <> ''
        ORDER BY (a.valid_to IS NULL OR a.valid_to >= $2::date) DESC, a.valid_from DESC, a.worker_id DESC LIMIT 1), $6)`;

/** The read model's span `s` of the case `c` holding D (case_team_span, ADR 0074): at most one. */
export const SPAN_AT_D = (s: string, c: string) =>
  `${s}.municipality_code = $1 AND ${s}.source = ${c}.source AND ${s}.case_id = ${c}.case_id
      AND ${s}.valid_from <= $2::date AND (${s}.valid_to IS NULL OR ${s}.valid_to >= $2::date)`;

/**
 * Every case of the municipality with its team for scoping: the team of the responsible caseworker
 * at D, else of the last caseworker assigned before D, else the intake team.
 */
export const CASE_TEAM = `
  ${PARAMS},
  case_team AS (
    SELECT c.source, c.case_id, c.person_id, c.area, c.opened, c.closed,
      ${WORKER_AT_D('c')} AS worker_id,
      ${TEAM_AT_D('c')} AS team
    FROM child_case c WHERE c.municipality_code = $1
  )`;

/** CASE_TEAM from the read model case_team_span (ADR 0074): the span holding D, if any. */
export const CASE_TEAM_READ_MODEL = `
  ${PARAMS},
  case_team AS (
    SELECT c.source, c.case_id, c.person_id, c.area, c.opened, c.closed, s.worker_id, coalesce(s.team, $6) AS team
    FROM child_case c
    LEFT JOIN case_team_span s ON ${SPAN_AT_D('s', 'c')}
    WHERE c.municipality_code = $1
  )`;

/** CASE_TEAM as the context reads it: from the read model when it is current. */
export const caseTeam = (ctx: { readModels?: boolean }) => (ctx.readModels ? CASE_TEAM_READ_MODEL : CASE_TEAM);

/**
 * CASE_TEAM's row of one case (person_id, worker_id, team), as `JOIN LATERAL (...) ct` on the row
 * `row` (an alias with source and case_id), by the same rules (the read model's span holding D when
 * `ctx.readModels`). A statement that needs the team of only some rows looks it up for those, not
 * for every case of the municipality. A row whose case is not in child_case is dropped, as joining
 * to case_team drops it. `reported`: the statement shows or groups by the team or caseworker. When
 * it does not and there is no team scope, only the child is looked up (team and worker_id NULL);
 * `eachRow` then keeps that a look-up per row (OFFSET 0) where the rows are few beside the cases,
 * which the planner would otherwise read all of to hash them.
 */
export const caseTeamOf = (
  ctx: { readModels?: boolean; teams?: string[] | null },
  row: string,
  reported: boolean,
  { eachRow = false }: { eachRow?: boolean } = {},
) => {
  const lateral = (body: string) => `JOIN LATERAL (${body}) ct ON true`;
  const ofCase = `FROM child_case c WHERE c.municipality_code = $1 AND c.source = ${row}.source AND c.case_id = ${row}.case_id`;
  if (!reported && ctx.teams == null)
    return lateral(`SELECT c.person_id, NULL::text AS worker_id, NULL::text AS team ${ofCase}${eachRow ? ' OFFSET 0' : ''}`);
  // OFFSET 0: the look-up stays a subquery run once per row (pulled up, its team could be worked
  // out again for each use: the scope's filter, the grouping, the output).
  return ctx.readModels
    ? lateral(`SELECT c.person_id, s.worker_id, coalesce(s.team, $6) AS team
        FROM child_case c LEFT JOIN case_team_span s ON ${SPAN_AT_D('s', 'c')}
        WHERE c.municipality_code = $1 AND c.source = ${row}.source AND c.case_id = ${row}.case_id OFFSET 0`)
    : lateral(`SELECT c.person_id, ${WORKER_AT_D('c')} AS worker_id, ${TEAM_AT_D('c')} AS team ${ofCase} OFFSET 0`);
};

/** Within the team scope. */
export const IN_SCOPE = (alias: string) => `($5::text[] IS NULL OR ${alias}.team = ANY($5::text[]))`;
