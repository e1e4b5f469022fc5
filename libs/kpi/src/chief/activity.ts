import { fractionKpi } from '../types';
import { END_OF_D } from '../sql';
import type { KpiContext, KpiDefinition } from '../types';

// Activity for the chief (whole municipality). Params: $1 municipality, $2 D, $3 P from, $4 P to.
const params = (ctx: KpiContext) => [ctx.municipality, ctx.asOf, ctx.period.from, ctx.period.to];
/** As many of the parameters as the statement uses (PostgreSQL rejects extra ones). */
const paramsFor = (sql: string, ctx: KpiContext) =>
  params(ctx).slice(0, Math.max(0, ...[...sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]))));

/** Notifications received in P (and by D), by their received date in Copenhagen. */
const NOTIFICATIONS_IN_P = `
  note AS (
    SELECT n.* FROM notification n
    WHERE n.municipality_code = $1 AND n.received_at < ${END_OF_D}
      AND (n.received_at AT TIME ZONE 'Europe/Copenhagen')::date BETWEEN $3::date AND $4::date
  )`;

const ACTIVE_AT_D = (family: string, extra = '') => `
  SELECT DISTINCT c.person_id FROM measure m
  JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
  WHERE m.municipality_code = $1 AND m.family = '${family}' AND m.started <= $2::date AND (m.ended IS NULL OR m.ended >= $2::date) ${extra}`;

const count = (id: string, title: string, sql: string, higherIsBetter: boolean | null = null): KpiDefinition<number> => ({
  id,
  title,
  unit: 'count',
  higherIsBetter,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const [r] = await ctx.query<{ n: number }>(sql, paramsFor(sql, ctx));
    return r.n;
  },
});

export const notifications = count(
  'activity.notifications',
  'Underretninger',
  `WITH ${NOTIFICATIONS_IN_P} SELECT count(*)::int AS n FROM note`,
);
export const childrenNotified = count(
  'activity.children_notified',
  'Børn med underretninger',
  `WITH ${NOTIFICATIONS_IN_P} SELECT count(DISTINCT person_id)::int AS n FROM note`,
);

export const repeatNotificationShare = fractionKpi({
  id: 'activity.repeat_notification_share',
  title: 'Andel børn med gentagne underretninger',
  unit: 'share',
  higherIsBetter: false,
  roles: ['chef', 'admin'],
  async fraction(ctx) {
    const [r] = await ctx.query<{ repeated: number; children: number }>(
      `WITH ${NOTIFICATIONS_IN_P}, per_child AS (SELECT person_id, count(*) AS n FROM note GROUP BY person_id)
       SELECT count(*) FILTER (WHERE n >= 2)::int AS repeated, count(*)::int AS children FROM per_child`,
      params(ctx),
    );
    return { numerator: r.repeated, denominator: r.children };
  },
});

export const notificationsBySource: KpiDefinition<Record<string, number>> = {
  id: 'activity.notifications_by_source',
  title: 'Underretninger efter kilde',
  unit: 'count',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const rows = await ctx.query<{ channel: string; n: number }>(
      `WITH ${NOTIFICATIONS_IN_P} SELECT channel, count(*)::int AS n FROM note GROUP BY channel ORDER BY n DESC, channel`,
      params(ctx),
    );
    return Object.fromEntries(rows.map((r) => [r.channel, r.n]));
  },
};

export const investigationsStarted = count(
  'activity.investigations_started',
  'Børnefaglige undersøgelser startet',
  `SELECT count(*)::int AS n FROM investigation WHERE municipality_code = $1 AND started BETWEEN $3::date AND $4::date AND started <= $2::date`,
);
export const investigationsCompleted = count(
  'activity.investigations_completed',
  'Børnefaglige undersøgelser afsluttet',
  `SELECT count(*)::int AS n FROM investigation WHERE municipality_code = $1 AND completed BETWEEN $3::date AND $4::date AND completed <= $2::date`,
);
export const preventiveChildren = count(
  'activity.preventive_children',
  'Børn med forebyggende indsats',
  `SELECT count(*)::int AS n FROM (${ACTIVE_AT_D('preventive')}) x`,
);
export const placedChildren = count(
  'activity.placed_children',
  'Anbragte børn',
  `SELECT count(*)::int AS n FROM (${ACTIVE_AT_D('placement')}) x`,
);
export const placementsStarted = count(
  'activity.placements_started',
  'Anbringelser startet',
  `SELECT count(*)::int AS n FROM measure WHERE municipality_code = $1 AND family = 'placement' AND started BETWEEN $3::date AND $4::date AND started <= $2::date`,
);
export const placementsEnded = count(
  'activity.placements_ended',
  'Anbringelser afsluttet',
  `SELECT count(*)::int AS n FROM measure WHERE municipality_code = $1 AND family = 'placement' AND ended BETWEEN $3::date AND $4::date AND ended <= $2::date`,
);

/**
 * activity.placed_children_by_type (beyond the catalogue: the chief's placements split by type):
 * per placement measure type, distinct children with a placement of that type active at D. A child
 * in two types at D counts under each, so the parts may add up to more than activity.placed_children.
 */
export const placedChildrenByType: KpiDefinition<Record<string, number>> = {
  id: 'activity.placed_children_by_type',
  title: 'Anbragte børn efter anbringelsestype',
  unit: 'count',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const rows = await ctx.query<{ measure_type: string; n: number }>(
      `SELECT m.measure_type, count(DISTINCT c.person_id)::int AS n FROM measure m
       JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
       WHERE m.municipality_code = $1 AND m.family = 'placement' AND m.started <= $2::date AND (m.ended IS NULL OR m.ended >= $2::date)
       GROUP BY m.measure_type ORDER BY n DESC, m.measure_type`,
      [ctx.municipality, ctx.asOf],
    );
    return Object.fromEntries(rows.map((r) => [r.measure_type, r.n]));
  },
};

export const familyCareShare = fractionKpi({
  id: 'activity.family_care_share',
  title: 'Andel anbragte i familiepleje',
  unit: 'share',
  higherIsBetter: true,
  roles: ['chef', 'admin'],
  async fraction(ctx) {
    const [r] = await ctx.query<{ family: number; placed: number }>(
      `SELECT (SELECT count(*) FROM (${ACTIVE_AT_D('placement', 'AND m.family_care')}) f)::int AS family,
              (SELECT count(*) FROM (${ACTIVE_AT_D('placement')}) p)::int AS placed`,
      [ctx.municipality, ctx.asOf],
    );
    return { numerator: r.family, denominator: r.placed };
  },
});

/**
 * `<id>_per_1000`: count / population (0-17 year olds, municipality, year of D; the latest earlier
 * published year when that year is not published) × 1000, unrounded; null without a population.
 */
export function perThousand(base: KpiDefinition<number>): KpiDefinition<number | null> {
  return fractionKpi({
    id: `${base.id}_per_1000`,
    title: `${base.title} pr. 1.000 børn`,
    unit: 'ratio',
    higherIsBetter: base.higherIsBetter,
    roles: base.roles,
    scale: 1000,
    async fraction(ctx) {
      const [pop] = await ctx.query<{ count: number | null }>(
        `SELECT count FROM population WHERE municipality_code = $1 AND age_group = '0-17 år' AND count IS NOT NULL
           AND year <= extract(year FROM $2::date) ORDER BY year DESC LIMIT 1`,
        [ctx.municipality, ctx.asOf],
      );
      if (!pop?.count) return null;
      return { numerator: await base.compute(ctx), denominator: pop.count };
    },
  });
}
