import { END_OF_D, ON_LOCAL_DAYS } from '../sql';
import { ACTIVE_AT } from '@bu/rules';
import { defineKpi, fractionKpi, type KpiContext, type KpiDefinition } from '../types';

// What the activity KPIs (whole municipality, for the chief) share. Params: $1 municipality, $2 D,
// $3 P from, $4 P to.
export const params = (ctx: KpiContext) => [ctx.municipality, ctx.asOf, ctx.period.from, ctx.period.to];
/** As many of the parameters as the statement uses (PostgreSQL rejects extra ones). */
const paramsFor = (sql: string, ctx: KpiContext) =>
  params(ctx).slice(0, Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]))));

/** Notifications received in P (and by D), by their received date in Copenhagen. */
export const NOTIFICATIONS_IN_P = `
  note AS (
    SELECT n.* FROM notification n
    WHERE n.municipality_code = $1 AND n.received_at < ${END_OF_D}
      AND ${ON_LOCAL_DAYS('n.received_at', '$3::date', '$4::date')}
  )`;

/** The distinct children with a measure of the family active at D. */
export const ACTIVE_AT_D = (family: string, extra = '') => `
  SELECT DISTINCT c.person_id FROM measure m
  JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
  WHERE m.municipality_code = $1 AND m.family = '${family}' AND ${ACTIVE_AT('m')} ${extra}`;

/**
 * A count from the read model activity_count_day (ADR 0082) at the end of `day` (a date
 * expression): its row of the last day by then on which a count changed; 0 before the first.
 */
export const COUNT_AT = (column: string, day: string) =>
  `coalesce((SELECT a.${column} FROM activity_count_day a WHERE a.municipality_code = $1 AND a.day <= ${day} ORDER BY a.day DESC LIMIT 1), 0)`;

/** What a running total of activity_count_day gained over the days `from`..`to`; 0 when `to` is before `from`. */
export const COUNT_IN = (column: string, from: string, to: string) =>
  `CASE WHEN ${to} >= ${from} THEN ${COUNT_AT(column, to)} - ${COUNT_AT(column, `${from} - 1`)} ELSE 0 END`;

/** A count for the chief: `sql` selects it as `n`; `readModelSql` the same from the read models, when current. */
export const countKpi = <const Id extends string>(def: {
  id: Id;
  title: string;
  sql: string;
  readModelSql?: string;
  higherIsBetter?: boolean | null;
}): KpiDefinition<number, Id> =>
  defineKpi({
    id: def.id,
    title: def.title,
    unit: 'count',
    shape: 'number',
    higherIsBetter: def.higherIsBetter ?? null,
    roles: ['chef', 'admin'],
    async compute(ctx): Promise<number> {
      const sql = ctx.readModels && def.readModelSql ? def.readModelSql : def.sql;
      const [r] = await ctx.query<{ n: number }>(sql, paramsFor(sql, ctx));
      return r.n;
    },
  });

/**
 * `<id>_per_1000`: count / population (0-17 year olds, municipality, year of D; the latest earlier
 * published year when that year is not published) × 1000, unrounded; null without a population.
 */
export function perThousand<const Id extends `${string}_per_1000`>(def: {
  id: Id;
  title: string;
  base: KpiDefinition<number>;
}): KpiDefinition<number | null, Id> {
  return fractionKpi({
    id: def.id,
    title: def.title,
    unit: 'ratio',
    shape: 'number',
    higherIsBetter: def.base.higherIsBetter,
    roles: def.base.roles,
    scale: 1000,
    async fraction(ctx) {
      const [pop] = await ctx.query<{ count: number | null }>(
        `SELECT count FROM population WHERE municipality_code = $1 AND age_group = '0-17 år' AND count IS NOT NULL
           AND year <= extract(year FROM $2::date) ORDER BY year DESC LIMIT 1`,
        [ctx.municipality, ctx.asOf],
      );
      if (!pop?.count) return null;
      return { numerator: await def.base.compute(ctx), denominator: pop.count };
    },
  });
}
