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

/**
 * Caseworkers listed in caseload KPIs: every Rådgiver employed at D, and anyone else holding
 * open cases at D (a caseworker who left but still holds cases stays visible).
 */
export const LISTED_WORKERS = `
  listed AS (
    SELECT w.worker_id, w.team FROM caseworker w
    WHERE w.municipality_code = $1 AND w.job_title = 'Rådgiver'
      AND (w.employed_from IS NULL OR w.employed_from <= $2::date) AND (w.employed_to IS NULL OR w.employed_to >= $2::date)
    UNION
    SELECT ocw.worker_id, w.team FROM open_case_worker ocw
    LEFT JOIN caseworker w ON w.municipality_code = $1 AND w.source = ocw.source AND w.worker_id = ocw.worker_id
    WHERE ocw.worker_id IS NOT NULL
  )`;

/** Children per listed caseworker in the scope, per case area or over all areas. */
export interface CaseloadChildren {
  worker_id: string;
  area?: string | null;
  children: number;
}

/**
 * Distinct children with an open case at D per listed caseworker in the scope ($3): over all areas
 * (caseload.open_cases) or per area (caseload.vs_norm), ordered by caseworker. With the answer's
 * memo both come from one statement (grouping sets) computed once, so the open cases and their
 * responsible caseworkers are worked out once for the two.
 */
export async function caseloadChildren(ctx: KpiContext, perArea: boolean): Promise<CaseloadChildren[]> {
  const params = [ctx.municipality, ctx.asOf, ctx.teams ?? null];
  const statement = (select: string, groupBy: string, orderBy: string) =>
    ctx.query<CaseloadChildren & { all_areas?: boolean }>(
      `WITH ${openCasesWithResponsible(ctx)}, ${LISTED_WORKERS}
       SELECT l.worker_id, ${select}count(DISTINCT ocw.person_id)::int AS children
       FROM listed l LEFT JOIN open_case_worker ocw ON ocw.worker_id = l.worker_id
       WHERE $3::text[] IS NULL OR l.team = ANY($3::text[])
       GROUP BY ${groupBy} ORDER BY ${orderBy}`,
      params,
    );
  if (!ctx.shared)
    return perArea ? statement('ocw.area, ', 'l.worker_id, ocw.area', 'l.worker_id') : statement('', 'l.worker_id', 'l.worker_id');
  // Within a caseworker by area, the order the per-area grouping's sort gives them.
  const rows = await shared(ctx, 'caseload.children', () =>
    statement(
      'ocw.area, GROUPING(ocw.area) = 1 AS all_areas, ',
      'GROUPING SETS ((l.worker_id), (l.worker_id, ocw.area))',
      'l.worker_id, all_areas, ocw.area',
    ),
  );
  return rows
    .filter((r) => r.all_areas !== perArea)
    .map((r) =>
      perArea ? { worker_id: r.worker_id, area: r.area, children: r.children } : { worker_id: r.worker_id, children: r.children },
    );
}
