import { heldDayRows } from '../read-models';
import { ACTIVE_AT } from '@bu/rules';
import { defineKpi, fractionKpi } from '../types';
import { ACTIVE_AT_D, COUNT_AT, COUNT_IN, countKpi, perThousand } from './shared';

// Children with measures at D, and placements started and ended in P.

/** activity.preventive_children — distinct children with a preventive measure active at D. */
export const preventiveChildren = countKpi({
  id: 'activity.preventive_children',
  title: 'Børn med forebyggende indsats',
  sql: `SELECT count(*)::int AS n FROM (${ACTIVE_AT_D('preventive')}) x`,
  readModelSql: `SELECT ${COUNT_AT('preventive_children', '$2::date')} AS n`,
});

export const preventiveChildrenPer1000 = perThousand({
  id: 'activity.preventive_children_per_1000',
  title: 'Børn med forebyggende indsats pr. 1.000 børn',
  base: preventiveChildren,
});

/** activity.placed_children — distinct children with a placement active at D. */
export const placedChildren = countKpi({
  id: 'activity.placed_children',
  title: 'Anbragte børn',
  sql: `SELECT count(*)::int AS n FROM (${ACTIVE_AT_D('placement')}) x`,
  readModelSql: `SELECT ${COUNT_AT('placed_children', '$2::date')} AS n`,
});

export const placedChildrenPer1000 = perThousand({
  id: 'activity.placed_children_per_1000',
  title: 'Anbragte børn pr. 1.000 børn',
  base: placedChildren,
});

/** activity.placements_started — placement measures started in P. */
export const placementsStarted = countKpi({
  id: 'activity.placements_started',
  title: 'Anbringelser startet',
  sql: `SELECT count(*)::int AS n FROM measure WHERE municipality_code = $1 AND family = 'placement' AND started BETWEEN $3::date AND $4::date AND started <= $2::date`,
  readModelSql: `SELECT ${COUNT_IN('placements_started_to_date', '$3::date', 'least($4::date, $2::date)')} AS n`,
});

/** activity.placements_ended — placement measures ended in P. */
export const placementsEnded = countKpi({
  id: 'activity.placements_ended',
  title: 'Anbringelser afsluttet',
  sql: `SELECT count(*)::int AS n FROM measure WHERE municipality_code = $1 AND family = 'placement' AND ended BETWEEN $3::date AND $4::date AND ended <= $2::date`,
  readModelSql: `SELECT ${COUNT_IN('placements_ended_to_date', '$3::date', 'least($4::date, $2::date)')} AS n`,
});

/**
 * activity.placed_children_by_type (beyond the catalogue: the chief's placements split by type):
 * per placement measure type, distinct children with a placement of that type active at D. A child
 * in two types at D counts under each, so the parts may add up to more than activity.placed_children.
 */
export const placedChildrenByType = defineKpi({
  id: 'activity.placed_children_by_type',
  title: 'Anbragte børn efter anbringelsestype',
  unit: 'count',
  shape: 'breakdown',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const rows = await heldDayRows<{ measure_type: string; n: number }>(
      ctx,
      {
        // At a held day, measure_type_day's placed children per type (ADR 0108).
        readModel: `SELECT t.measure_type, t.placed_children AS n FROM caseload_day h
          LEFT JOIN measure_type_day t ON t.municipality_code = h.municipality_code AND t.day = h.day AND t.placed_children > 0
          WHERE h.municipality_code = $1 AND h.day = $2::date
          ORDER BY n DESC, t.measure_type`,
        facts: `SELECT m.measure_type, count(DISTINCT c.person_id)::int AS n FROM measure m
          JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
          WHERE m.municipality_code = $1 AND m.family = 'placement' AND ${ACTIVE_AT('m')}
          GROUP BY m.measure_type ORDER BY n DESC, m.measure_type`,
      },
      [ctx.municipality, ctx.asOf],
      (r) => r.measure_type !== null,
    );
    return Object.fromEntries(rows.map((r) => [r.measure_type, r.n]));
  },
});

/** activity.family_care_share — children placed in family-type care at D / activity.placed_children. */
export const familyCareShare = fractionKpi({
  id: 'activity.family_care_share',
  title: 'Andel anbragte i familiepleje',
  unit: 'share',
  shape: 'fraction',
  higherIsBetter: true,
  roles: ['chef', 'admin'],
  async fraction(ctx) {
    const [r] = await ctx.query<{ family: number; placed: number }>(
      ctx.readModels
        ? `SELECT ${COUNT_AT('placed_family_care_children', '$2::date')} AS family, ${COUNT_AT('placed_children', '$2::date')} AS placed`
        : `SELECT (SELECT count(*) FROM (${ACTIVE_AT_D('placement', 'AND m.family_care')}) f)::int AS family,
                  (SELECT count(*) FROM (${ACTIVE_AT_D('placement')}) p)::int AS placed`,
      [ctx.municipality, ctx.asOf],
    );
    return { numerator: r.family, denominator: r.placed };
  },
});
