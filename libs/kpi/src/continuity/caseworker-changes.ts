import { DEFAULT_SETTINGS } from '../settings';
import { addMonthsSql, caseTeam, IN_SCOPE, kpiParams, PARAMS } from '../sql';
import { defineKpi, type KpiContext } from '../types';

/** continuity.caseworker_changes: the children judged and how often their responsible caseworker changed. */
export interface CaseworkerChanges {
  /** Children whose case is open at D and was opened on or before D − 12 months. */
  children: number;
  /** Mean changes per child; null when no child is judged. */
  mean: number | null;
  /** Share of those children with no change; null when no child is judged. */
  noChangeShare: number | null;
  /** Share with exactly 1 change; null when no child is judged. */
  oneChangeShare: number | null;
  /** Share with 2 changes or more; null when no child is judged. */
  twoOrMoreShare: number | null;
}

/** The responsible caseworker of a case on a day (latest `Fra` wins; '' is nobody → NULL), as CASE_TEAM reads it at D. */
const RESPONSIBLE_ON = (day: string) => `(SELECT NULLIF(a.worker_id, '') FROM assignment a
    WHERE a.municipality_code = $1 AND a.source = q.source AND a.case_id = q.case_id
      AND a.valid_from <= ${day} AND (a.valid_to IS NULL OR a.valid_to >= ${day})
    ORDER BY a.valid_from DESC, a.worker_id DESC LIMIT 1)`;

/** The case (alias) is judged at D: open at D and opened on or before D − 12 months. */
const JUDGED_AT = (alias: string) =>
  `${alias}.opened <= ${addMonthsSql('$2::date', -12)} AND (${alias}.closed IS NULL OR ${alias}.closed >= $2::date)`;

/**
 * The CTE `judged`: the judged cases in the scope. Without a team scope every case of the
 * municipality is in it, so the cases are read without their team at D (CASE_TEAM has one row per
 * case, so it adds no row either way); with one, the case's team at D decides.
 */
const judged = (ctx: KpiContext) =>
  ctx.teams == null
    ? `${PARAMS},
       judged AS (
         SELECT c.source, c.case_id, c.person_id FROM child_case c WHERE c.municipality_code = $1 AND ${JUDGED_AT('c')}
       ),`
    : `${caseTeam(ctx)},
       judged AS (
         SELECT ct.source, ct.case_id, ct.person_id FROM case_team ct WHERE ${JUDGED_AT('ct')} AND ${IN_SCOPE('ct')}
       ),`;

/**
 * The changes per child of the judged cases, from the assignments: each candidate day looked at. A
 * change is a day, so two of the child's cases changing on one day count once.
 */
const CHANGED = `
  candidate AS (
    SELECT DISTINCT j.source, j.case_id, j.person_id, x.d FROM judged j
    JOIN assignment a ON a.municipality_code = $1 AND a.source = j.source AND a.case_id = j.case_id
    CROSS JOIN LATERAL (VALUES (a.valid_from), (a.valid_to + 1)) x(d)
    WHERE x.d > ${addMonthsSql('$2::date', -12)} AND x.d <= $2::date
  ),
  changed AS (
    SELECT q.person_id, count(DISTINCT q.d)::int AS n FROM candidate q
    WHERE ${RESPONSIBLE_ON('q.d')} IS NOT NULL AND ${RESPONSIBLE_ON('q.d')} IS DISTINCT FROM ${RESPONSIBLE_ON('q.d - 1')}
    GROUP BY q.person_id
  ),`;

/**
 * CHANGED from the read model case_team_span (ADR 0074): a span begins on each candidate day and
 * holds the responsible caseworker of its days by RESPONSIBLE_ON's rules, so a change is a span
 * begun in the 12 months with a caseworker other than the day before's: the span ending that day,
 * or nobody when no span holds it (before the first assignment, or a span left out for having
 * neither caseworker nor team).
 */
const CHANGED_READ_MODEL = `
  changed AS (
    SELECT j.person_id, count(DISTINCT s.valid_from)::int AS n FROM judged j
    JOIN case_team_span s ON s.municipality_code = $1 AND s.source = j.source AND s.case_id = j.case_id
    LEFT JOIN case_team_span b ON b.municipality_code = $1 AND b.source = s.source AND b.case_id = s.case_id AND b.valid_to = s.valid_from - 1
    WHERE s.valid_from > ${addMonthsSql('$2::date', -12)} AND s.valid_from <= $2::date
      AND s.worker_id IS NOT NULL AND s.worker_id IS DISTINCT FROM b.worker_id
    GROUP BY j.person_id
  ),`;

/**
 * continuity.caseworker_changes (KPIS.md, second edition) — children whose case is open at D and
 * was opened on or before D − 12 months. A change is a day d with D − 12 months < d <= D whose
 * responsible caseworker is someone and differs from the day before (nobody → someone counts,
 * someone → nobody does not). The responsible worker only changes on a day an assignment begins
 * or the day after one ends, so only those days are looked at. A child with two such cases counts
 * once, with the days either case changed on (a day both changed on is one change). A team leader's
 * scope is the team of the case at D.
 */
export const caseworkerChanges = defineKpi({
  id: 'continuity.caseworker_changes',
  title: 'Skift af rådgiver det seneste år',
  unit: 'ratio',
  shape: 'breakdown',
  higherIsBetter: false,
  roles: ['teamleder', 'chef', 'admin'],
  async compute(ctx: KpiContext): Promise<CaseworkerChanges> {
    const [r] = await ctx.query<{ children: number; changes: number; none: number; one: number; two: number }>(
      `WITH ${judged(ctx)}
       ${ctx.readModels ? CHANGED_READ_MODEL : CHANGED}
       per_child AS (
         SELECT p.person_id, coalesce(c.n, 0) AS n FROM (SELECT DISTINCT person_id FROM judged) p LEFT JOIN changed c ON c.person_id = p.person_id
       )
       SELECT count(*)::int AS children, coalesce(sum(n), 0)::int AS changes,
              count(*) FILTER (WHERE n = 0)::int AS none, count(*) FILTER (WHERE n = 1)::int AS one,
              count(*) FILTER (WHERE n >= 2)::int AS two
       FROM per_child`,
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
    );
    const share = (n: number) => (r.children === 0 ? null : n / r.children);
    return {
      children: r.children,
      mean: share(r.changes),
      noChangeShare: share(r.none),
      oneChangeShare: share(r.one),
      twoOrMoreShare: share(r.two),
    };
  },
});
