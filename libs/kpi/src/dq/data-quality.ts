import { ruleTitle } from '@bu/domain';
import { defineKpi, type KpiContext, type KpiDefinition, type KpiListValue } from '../types';

// Data quality: whether the figures can be trusted. Every role sees the part it may see.

export interface RejectedRowsSummary {
  import: string;
  source: string;
  startedAt: string;
  file: string;
  rule: string;
  /** The rule's Danish title (RULES), what the data-quality view shows instead of the id. */
  title: string;
  count: number;
  lines: number[];
  /** The rejected rows themselves, the first 50 by line: what the count opens to. */
  issues: { line: number | null; value: string | null; message: string }[];
}

/** dq.rejected_rows — per import (the newest per source of the municipality): rows rejected, by rule and file, with line numbers. */
export const rejectedRows = defineKpi({
  id: 'dq.rejected_rows',
  title: 'Afviste rækker ved seneste import',
  unit: 'list',
  shape: 'list',
  fields: ['import', 'source', 'startedAt', 'file', 'rule', 'title', 'count', 'lines', 'issues'],
  // The count is of rejected rows, each row of the list being one rule in one file.
  countOf: (rows: RejectedRowsSummary[]) => rows.reduce((s, r) => s + r.count, 0),
  higherIsBetter: false,
  roles: ['chef', 'teamleder', 'admin'],
  async compute(ctx: KpiContext): Promise<KpiListValue<RejectedRowsSummary>> {
    const rows = await ctx.query<Omit<RejectedRowsSummary, 'title'>>(
      `WITH latest AS (
         SELECT DISTINCT ON (source) id, source, started_at FROM import_run
         WHERE municipality_code = $1 AND status = 'succeeded' ORDER BY source, id DESC
       )
       SELECT l.id::text AS import, l.source, to_char(l.started_at AT TIME ZONE 'Europe/Copenhagen', 'YYYY-MM-DD"T"HH24:MI') AS "startedAt",
              i.file, i.rule, count(*)::int AS count, (array_agg(i.line ORDER BY i.line))[1:50] AS lines,
              (array_agg(json_build_object('line', i.line, 'value', i.value, 'message', i.message) ORDER BY i.line, i.id))[1:50] AS issues
       FROM latest l JOIN import_issue i ON i.import_id = l.id AND i.severity = 'error'
       GROUP BY l.id, l.source, l.started_at, i.file, i.rule ORDER BY l.source, i.file, i.rule`,
      [ctx.municipality],
    );
    return { count: rows.reduce((s, r) => s + r.count, 0), rows: rows.map((r) => ({ ...r, title: ruleTitle(r.rule) })) };
  },
});

const count = <const Id extends `dq.${string}`>(id: Id, title: string, sql: string): KpiDefinition<number, Id> => ({
  id,
  title,
  unit: 'count',
  shape: 'number',
  higherIsBetter: false,
  roles: ['chef', 'teamleder', 'admin'],
  async compute(ctx) {
    const [r] = await ctx.query<{ n: number }>(sql, [ctx.municipality, ctx.asOf]);
    return r.n;
  },
});

/** dq.open_measures_on_closed_cases — measures active at D on cases closed before D. */
export const openMeasuresOnClosedCases = count(
  'dq.open_measures_on_closed_cases',
  'Aktive indsatser på lukkede sager',
  `SELECT count(*)::int AS n FROM measure m JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
   WHERE m.municipality_code = $1 AND m.started <= $2::date AND (m.ended IS NULL OR m.ended >= $2::date) AND c.closed < $2::date`,
);

/** dq.missing_end_dates — measures with no end date that started more than 5 years before D. */
export const missingEndDates = count(
  'dq.missing_end_dates',
  'Indsatser uden slutdato startet for over 5 år siden',
  `SELECT count(*)::int AS n FROM measure WHERE municipality_code = $1 AND ended IS NULL AND started < ($2::date - interval '5 years')::date`,
);

/** dq.unknown_codes — rows kept with an unknown code mapped to "ukendt", by code (from the newest imports' warnings). */
export const unknownCodes = defineKpi({
  id: 'dq.unknown_codes',
  title: 'Ukendte koder gemt som "ukendt"',
  unit: 'count',
  shape: 'breakdown',
  higherIsBetter: false,
  roles: ['chef', 'teamleder', 'admin'],
  async compute(ctx) {
    const rows = await ctx.query<{ code: string; n: number }>(
      `WITH latest AS (
         SELECT DISTINCT ON (source) id FROM import_run WHERE municipality_code = $1 AND status = 'succeeded' ORDER BY source, id DESC
       )
       SELECT i.value AS code, count(*)::int AS n FROM import_issue i JOIN latest l ON l.id = i.import_id
       WHERE i.rule = 'W003' AND i.value IS NOT NULL GROUP BY i.value ORDER BY n DESC, i.value`,
      [ctx.municipality],
    );
    return Object.fromEntries(rows.map((r) => [r.code, r.n]));
  },
});
