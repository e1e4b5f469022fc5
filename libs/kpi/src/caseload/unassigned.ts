import { DEFAULT_SETTINGS } from '../settings';
import { heldDayRows } from '../read-models';
import { defineKpi, type KpiContext, type KpiListValue } from '../types';

export interface UnassignedRow {
  case: string;
  area: string;
  /** The last caseworker assigned before D (may have left), or null when never assigned. */
  lastWorker: string | null;
  team: string;
  reason: 'ingen rådgiver' | 'rådgiver fratrådt';
  /** The first day the case had nobody: the day after the last assignment or the employment ended, or the opening day. */
  since: string;
  days: number;
}

/** The responsible caseworker of each case at D ('' is nobody: NULL), by the rules of ./responsible.ts. */
const CURRENT = `current AS (
  SELECT DISTINCT ON (a.source, a.case_id) a.source, a.case_id, NULLIF(a.worker_id, '') AS worker_id
  FROM assignment a WHERE a.municipality_code = $1 AND a.valid_from <= $2::date AND (a.valid_to IS NULL OR a.valid_to >= $2::date)
  ORDER BY a.source, a.case_id, a.valid_from DESC, a.worker_id DESC
)`;

/**
 * CURRENT from the read model case_team_span (ADR 0074): its worker_id is the responsible
 * caseworker by these very rules, on the span holding D. A case without a span at D has no
 * assignment with a caseworker at D, as a case whose current assignment is nobody's.
 */
const CURRENT_READ_MODEL = `current AS (
  SELECT s.source, s.case_id, s.worker_id FROM case_team_span s
  WHERE s.municipality_code = $1 AND s.valid_from <= $2::date AND (s.valid_to IS NULL OR s.valid_to >= $2::date)
)`;

/**
 * The list from the read model unassigned_case_day (ADR 0102) at a day caseload_day holds: its rows
 * in the statement's order, the team filter in the join so that a held day with no row (in the
 * scope) still answers with one row with no case. A day not held answers with none.
 */
const UNASSIGNED_READ_MODEL = `
  SELECT u.case_id AS "case", u.area, u.last_worker AS "lastWorker", coalesce(u.team, $4) AS team, u.reason,
         to_char(u.since, 'YYYY-MM-DD') AS since, ($2::date - u.since)::int AS days
  FROM caseload_day h
  LEFT JOIN unassigned_case_day u ON u.municipality_code = h.municipality_code AND u.day = h.day
    AND ($3::text[] IS NULL OR coalesce(u.team, $4) = ANY($3::text[]))
  WHERE h.municipality_code = $1 AND h.day = $2::date
  ORDER BY days DESC, u.case_id, u.source`;

/**
 * caseload.unassigned — the handover list: cases open at D with no assignment at D, or assigned
 * to a caseworker whose employment ended before D. A case belongs to the team of its last
 * assigned caseworker, else to the intake team.
 */
export const unassignedCases = defineKpi({
  id: 'caseload.unassigned',
  title: 'Sager uden aktiv rådgiver (til overdragelse)',
  unit: 'list',
  shape: 'list',
  fields: ['case', 'area', 'lastWorker', 'team', 'reason', 'since', 'days'],
  higherIsBetter: false,
  roles: ['teamleder', 'chef', 'admin'],
  async compute(ctx: KpiContext): Promise<KpiListValue<UnassignedRow>> {
    const intake = (ctx.settings ?? DEFAULT_SETTINGS).intake_team;
    const rows = await heldDayRows<UnassignedRow>(
      ctx,
      {
        readModel: UNASSIGNED_READ_MODEL,
        facts: `WITH open_case AS (
         SELECT c.* FROM child_case c WHERE c.municipality_code = $1 AND c.opened <= $2::date AND (c.closed IS NULL OR c.closed >= $2::date)
       ),
       ${ctx.readModels ? CURRENT_READ_MODEL : CURRENT},
       -- The open cases with nobody at D, or someone whose employment ended before D: few, so their
       -- last caseworker is looked up for them alone (a sort of every assignment begun by D was most of the time).
       unassigned AS (
         SELECT oc.source, oc.case_id, oc.area, oc.opened, cur.worker_id AS current_worker
         FROM open_case oc
         LEFT JOIN current cur ON cur.source = oc.source AND cur.case_id = oc.case_id
         LEFT JOIN caseworker cw ON cw.municipality_code = $1 AND cw.source = oc.source AND cw.worker_id = cur.worker_id
         WHERE cur.worker_id IS NULL OR cw.employed_to < $2::date
       ),
       listed AS (
         SELECT u.source, u.case_id, u.area, l.worker_id AS last_worker, coalesce(w.team, $4) AS team,
           CASE WHEN u.current_worker IS NULL THEN 'ingen rådgiver' ELSE 'rådgiver fratrådt' END AS reason,
           CASE WHEN u.current_worker IS NOT NULL THEN w.employed_to + 1
                WHEN l.valid_to IS NOT NULL THEN GREATEST(l.valid_to + 1, u.opened)
                ELSE u.opened END AS since
         FROM unassigned u
         -- The last caseworker assigned by D: the latest Fra, equal Fra the highest worker id.
         LEFT JOIN LATERAL (
           SELECT a.worker_id, a.valid_to FROM assignment a
           WHERE a.municipality_code = $1 AND a.source = u.source AND a.case_id = u.case_id AND a.valid_from <= $2::date AND a.worker_id <> ''
           ORDER BY a.valid_from DESC, a.worker_id DESC LIMIT 1
         ) l ON true
         LEFT JOIN caseworker w ON w.municipality_code = $1 AND w.source = u.source AND w.worker_id = coalesce(u.current_worker, l.worker_id)
       )
       SELECT case_id AS "case", area, last_worker AS "lastWorker", team, reason, to_char(since, 'YYYY-MM-DD') AS since, ($2::date - since)::int AS days
       FROM listed WHERE $3::text[] IS NULL OR team = ANY($3::text[])
       -- The same case number in both case systems, equally long without: by source, on both paths.
       ORDER BY days DESC, case_id, source`,
      },
      [ctx.municipality, ctx.asOf, ctx.teams ?? null, intake],
      (r) => r.case !== null,
    );
    return { count: rows.length, rows };
  },
});
