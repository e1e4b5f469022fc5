import { DEFAULT_SETTINGS } from '../settings';
import { ACTIVE_AT } from '@bu/rules';
import { shared, type KpiContext } from '../types';

// The responsible caseworker per open case at D, shared by every caseload KPI.
// An assignment is active at D when valid_from <= D and (valid_to empty or >= D; Til is the
// last day). When several are active (overlap), the one with the latest valid_from wins;
// equal valid_from: the highest worker id, so the answer is deterministic.

/** The open cases at D and their responsible caseworker, from the assignments. */
export const OPEN_CASES_WITH_RESPONSIBLE = `
  open_case AS (
    SELECT c.source, c.case_id, c.person_id, c.area
    FROM child_case c
    WHERE c.municipality_code = $1 AND c.opened <= $2::date AND (c.closed IS NULL OR c.closed >= $2::date)
  ),
  responsible AS (
    SELECT DISTINCT ON (a.source, a.case_id) a.source, a.case_id, NULLIF(a.worker_id, '') AS worker_id
    FROM assignment a
    WHERE a.municipality_code = $1 AND a.valid_from <= $2::date AND (a.valid_to IS NULL OR a.valid_to >= $2::date)
    ORDER BY a.source, a.case_id, a.valid_from DESC, a.worker_id DESC
  ),
  open_case_worker AS (
    SELECT oc.*, r.worker_id FROM open_case oc LEFT JOIN responsible r USING (source, case_id)
  )`;

/**
 * OPEN_CASES_WITH_RESPONSIBLE from the read model case_team_span (ADR 0074, 0076): its worker_id
 * is the responsible caseworker by these very rules (CASE_TEAM's), on the span holding D.
 */
export const OPEN_CASES_WITH_RESPONSIBLE_READ_MODEL = `
  open_case_worker AS (
    SELECT c.source, c.case_id, c.person_id, c.area, s.worker_id
    FROM child_case c
    LEFT JOIN case_team_span s ON s.municipality_code = $1 AND s.source = c.source AND s.case_id = c.case_id
      AND s.valid_from <= $2::date AND (s.valid_to IS NULL OR s.valid_to >= $2::date)
    WHERE c.municipality_code = $1 AND c.opened <= $2::date AND (c.closed IS NULL OR c.closed >= $2::date)
  )`;

/** OPEN_CASES_WITH_RESPONSIBLE as the context reads it: from the read model when it is current. */
export const openCasesWithResponsible = (ctx: { readModels?: boolean }) =>
  ctx.readModels ? OPEN_CASES_WITH_RESPONSIBLE_READ_MODEL : OPEN_CASES_WITH_RESPONSIBLE;

/** Every Rådgiver employed at D, with the team: listed in the caseload KPIs with or without cases. */
const EMPLOYED_ADVISERS = `
    SELECT w.worker_id, w.team FROM caseworker w
    WHERE w.municipality_code = $1 AND w.job_title = 'Rådgiver'
      AND (w.employed_from IS NULL OR w.employed_from <= $2::date) AND (w.employed_to IS NULL OR w.employed_to >= $2::date)`;

/**
 * Caseworkers listed in caseload KPIs: every Rådgiver employed at D, and anyone else holding
 * open cases at D (a caseworker who left but still holds cases stays visible).
 */
export const LISTED_WORKERS = `
  listed AS (${EMPLOYED_ADVISERS}
    UNION
    SELECT ocw.worker_id, w.team FROM open_case_worker ocw
    LEFT JOIN caseworker w ON w.municipality_code = $1 AND w.source = ocw.source AND w.worker_id = ocw.worker_id
    WHERE ocw.worker_id IS NOT NULL
  )`;

/**
 * caseload.weighted's weight per caseworker and child: the highest that applies at D on the
 * child's cases the caseworker holds ($4 placement, $5 investigation, $6 preventive, $7 none).
 * With a team scope ($3), only for the caseworkers listed in it: no other caseworker's weight is
 * read. Without one the statement is left without the condition, so its plan is the unscoped one.
 */
export const weightPerChild = (ctx: { teams?: string[] | null }) => `
  per_case AS (
    SELECT ocw.worker_id, ocw.person_id,
      GREATEST(
        CASE WHEN EXISTS (SELECT 1 FROM measure m WHERE m.municipality_code = $1 AND m.source = ocw.source AND m.case_id = ocw.case_id
                          AND m.family = 'placement' AND ${ACTIVE_AT('m')}) THEN $4::numeric END,
        CASE WHEN EXISTS (SELECT 1 FROM investigation i WHERE i.municipality_code = $1 AND i.source = ocw.source AND i.case_id = ocw.case_id
                          AND i.started <= $2::date AND (i.completed IS NULL OR i.completed >= $2::date)) THEN $5::numeric END,
        CASE WHEN EXISTS (SELECT 1 FROM measure m WHERE m.municipality_code = $1 AND m.source = ocw.source AND m.case_id = ocw.case_id
                          AND m.family = 'preventive' AND ${ACTIVE_AT('m')}) THEN $6::numeric END,
        $7::numeric) AS weight
    FROM open_case_worker ocw
    WHERE ocw.worker_id IS NOT NULL${ctx.teams == null ? '' : ' AND ocw.worker_id IN (SELECT l.worker_id FROM listed l WHERE l.team = ANY($3::text[]))'}
  ),
  per_child AS (SELECT worker_id, person_id, max(weight) AS weight FROM per_case GROUP BY worker_id, person_id)`;

/**
 * The listed caseworkers in the scope, each once: one listed in two teams (the same id in two case
 * systems) has its children summed once.
 */
const SCOPED_WORKERS = `SELECT DISTINCT l.worker_id FROM listed l WHERE $3::text[] IS NULL OR l.team = ANY($3::text[])`;

/**
 * LISTED_WORKERS from the caseload read model (ADR 0100) at a day it holds: the caseworkers holding
 * open cases at D are its rows, each with the sources of its cases (its team by source, as
 * LISTED_WORKERS joins it).
 */
const LISTED_WORKERS_READ_MODEL = `
  listed AS (${EMPLOYED_ADVISERS}
    UNION
    SELECT h.worker_id, w.team FROM caseload_day_worker h CROSS JOIN LATERAL unnest(h.sources) AS s(source)
    LEFT JOIN caseworker w ON w.municipality_code = $1 AND w.source = s.source AND w.worker_id = h.worker_id
    WHERE h.municipality_code = $1 AND h.day = $2::date
  )`;

/**
 * The three parts as the memo's statement gives them, from the caseload read model: per listed
 * caseworker in the scope the children over all areas and per area, and beside them the weighted
 * sum, each class's children times its highest weight ($4-$7, as weightPerChild takes them).
 */
const CASELOAD_PARTS_READ_MODEL = `
  WITH ${LISTED_WORKERS_READ_MODEL},
  held AS (
    SELECT worker_id, children, areas, area_children, classes, class_children
    FROM caseload_day_worker WHERE municipality_code = $1 AND day = $2::date
  ),
  scoped AS (${SCOPED_WORKERS}),
  -- A listed caseworker without cases: one row without an area and 0 children, as the facts give.
  children AS (
    SELECT l.worker_id, NULL::text AS area, true AS all_areas, coalesce(h.children, 0) AS children
    FROM scoped l LEFT JOIN held h ON h.worker_id = l.worker_id
    UNION ALL
    SELECT l.worker_id, a.area, false, coalesce(a.n, 0)
    FROM scoped l LEFT JOIN held h ON h.worker_id = l.worker_id LEFT JOIN LATERAL unnest(h.areas, h.area_children) AS a(area, n) ON true
  ),
  weighted AS (
    SELECT l.worker_id, coalesce(sum(k.n * GREATEST(
      CASE WHEN k.c & 1 <> 0 THEN $4::numeric END,
      CASE WHEN k.c & 2 <> 0 THEN $5::numeric END,
      CASE WHEN k.c & 4 <> 0 THEN $6::numeric END,
      $7::numeric)), 0)::text AS weighted
    FROM scoped l LEFT JOIN held h ON h.worker_id = l.worker_id LEFT JOIN LATERAL unnest(h.classes, h.class_children) AS k(c, n) ON true
    GROUP BY l.worker_id
  )
  SELECT c.worker_id, c.area, c.all_areas, c.children, w.weighted
  FROM children c JOIN weighted w ON w.worker_id = c.worker_id
  WHERE EXISTS (SELECT 1 FROM caseload_day WHERE municipality_code = $1 AND day = $2::date)
  UNION ALL
  -- A day it does not hold: one row without a caseworker (the facts are read instead).
  SELECT NULL, NULL, NULL, NULL, NULL WHERE NOT EXISTS (SELECT 1 FROM caseload_day WHERE municipality_code = $1 AND day = $2::date)
  ORDER BY worker_id, all_areas, area`;

/** The statement parameters of the caseload KPIs: the weights only for caseload.weighted's. */
const caseloadParams = (ctx: KpiContext, weights: boolean) => {
  const w = (ctx.settings ?? DEFAULT_SETTINGS)['caseload.weights'];
  const params: unknown[] = [ctx.municipality, ctx.asOf, ctx.teams ?? null];
  return weights ? [...params, w.placement, w.investigation, w.preventive, w.none] : params;
};

/** A caseload KPI's rows per listed caseworker in the scope, ordered by caseworker. */
export type CaseloadPart = 'children' | 'areas' | 'weighted';
export interface CaseloadRow {
  worker_id: string;
  /** 'areas': the case area. */
  area?: string | null;
  /** 'children', 'areas': distinct children with an open case at D (in the area). */
  children?: number;
  /** 'weighted': the sum of the children's weights, as numeric text. */
  weighted?: string;
}

/** One part's own statement. */
function caseloadStatement(ctx: KpiContext, part: CaseloadPart): Promise<CaseloadRow[]> {
  const scoped = `WHERE $3::text[] IS NULL OR l.team = ANY($3::text[])`;
  const sql =
    part === 'weighted'
      ? `WITH ${openCasesWithResponsible(ctx)}, ${LISTED_WORKERS}, ${weightPerChild(ctx)}
         SELECT l.worker_id, coalesce(sum(pc.weight), 0)::text AS weighted
         FROM (${SCOPED_WORKERS}) l LEFT JOIN per_child pc ON pc.worker_id = l.worker_id
         GROUP BY l.worker_id ORDER BY l.worker_id`
      : `WITH ${openCasesWithResponsible(ctx)}, ${LISTED_WORKERS}
         SELECT l.worker_id, ${part === 'areas' ? 'ocw.area, ' : ''}count(DISTINCT ocw.person_id)::int AS children
         FROM listed l LEFT JOIN open_case_worker ocw ON ocw.worker_id = l.worker_id
         ${scoped}
         GROUP BY l.worker_id${part === 'areas' ? ', ocw.area' : ''} ORDER BY l.worker_id`;
  return ctx.query<CaseloadRow>(sql, caseloadParams(ctx, part === 'weighted'));
}

/** The three parts in one statement from the facts (the memo's): see `caseload`. */
const caseloadParts = (ctx: KpiContext) => `
  WITH ${openCasesWithResponsible(ctx)}, ${LISTED_WORKERS}, ${weightPerChild(ctx)},
  children AS (
    SELECT l.worker_id, ocw.area, GROUPING(ocw.area) = 1 AS all_areas, count(DISTINCT ocw.person_id)::int AS children
    FROM listed l LEFT JOIN open_case_worker ocw ON ocw.worker_id = l.worker_id
    WHERE $3::text[] IS NULL OR l.team = ANY($3::text[])
    GROUP BY GROUPING SETS ((l.worker_id), (l.worker_id, ocw.area))
  ),
  weighted AS (
    SELECT l.worker_id, coalesce(sum(pc.weight), 0)::text AS weighted
    FROM (${SCOPED_WORKERS}) l LEFT JOIN per_child pc ON pc.worker_id = l.worker_id
    GROUP BY l.worker_id
  )
  -- Per caseworker the same set of listed caseworkers in the scope; within one, the areas in
  -- the order the per-area grouping's sort gives them.
  SELECT c.worker_id, c.area, c.all_areas, c.children, w.weighted
  FROM children c JOIN weighted w ON w.worker_id = c.worker_id
  ORDER BY c.worker_id, c.all_areas, c.area`;

type PartsRow = CaseloadRow & { all_areas: boolean };

/** The three parts: from the caseload read model when it holds D (one statement), else from the facts. */
async function caseloadAllParts(ctx: KpiContext): Promise<PartsRow[]> {
  const params = caseloadParams(ctx, true);
  if (ctx.readModels) {
    const rows = await ctx.query<PartsRow>(CASELOAD_PARTS_READ_MODEL, params);
    if (rows.length !== 1 || rows[0].worker_id !== null) return rows;
  }
  return ctx.query<PartsRow>(caseloadParts(ctx), params);
}

/**
 * The rows of caseload.open_cases ('children': distinct children with an open case at D per
 * caseworker), caseload.vs_norm ('areas': the same per case area) or caseload.weighted. All three
 * work out the open cases at D, their responsible caseworkers and the listed caseworkers; with the
 * answer's memo one statement gives the three parts (the children over all areas and per area by
 * grouping sets, each caseworker's weighted sum beside), computed once per answer. When the read
 * models are current, the caseload read model's look-up gives the three parts at a day it holds
 * (ADR 0100).
 */
export async function caseload(ctx: KpiContext, part: CaseloadPart): Promise<CaseloadRow[]> {
  if (!ctx.shared && !ctx.readModels) return caseloadStatement(ctx, part);
  const rows = await shared(ctx, 'caseload.parts', () => caseloadAllParts(ctx));
  if (part === 'weighted') return rows.filter((r) => r.all_areas).map((r) => ({ worker_id: r.worker_id, weighted: r.weighted }));
  return rows
    .filter((r) => r.all_areas !== (part === 'areas'))
    .map((r) =>
      part === 'areas' ? { worker_id: r.worker_id, area: r.area, children: r.children } : { worker_id: r.worker_id, children: r.children },
    );
}
