import { PLACEMENT_FOR_TWO_VISITS, TALKED_ALONE, TWO_VISITS_IN_12_MONTHS } from '@bu/rules';
import { heldDayRows } from '../read-models';
import { DEFAULT_SETTINGS } from '../settings';
import { caseTeamOf, IN_SCOPE, kpiParams, PARAMS } from '../sql';
import { fractionKpi, type KpiContext } from '../types';

// Supervision visits to placed children (KPIS.md, second edition). The per-child and per-visit
// rules are libs/rules', shared with the case review's formal items. A team leader's
// scope is the team of the placement's case at D, looked up (caseTeamOf) for the placements or
// visits counted, and only with a scope: neither share shows or groups by the team. The placements
// judged for two visits are few beside the cases: their child is looked up per placement (eachRow).
// At the days caseload_day holds, the two-visits share reads two_visits_day (ADR 0110).

/**
 * supervision.two_visits_share — children with a placement active at D that started on or before
 * D − 12 months: the share with at least 2 supervision visits on their placements dated D − 12 months .. D.
 */
export const twoVisitsShare = fractionKpi({
  id: 'supervision.two_visits_share',
  title: 'Anbragte børn med to tilsynsbesøg det seneste år',
  unit: 'share',
  shape: 'fraction',
  higherIsBetter: true,
  roles: ['teamleder', 'chef', 'admin'],
  async fraction(ctx: KpiContext) {
    const [r] = await heldDayRows<{ met: number; judged: number }>(
      ctx,
      {
        // At a held day, two_visits_day's children, each once, whose teams meet the scope (ADR 0110).
        readModel: `WITH ${PARAMS}
          SELECT coalesce(sum(r.children) FILTER (WHERE r.met), 0)::int AS met, coalesce(sum(r.children), 0)::int AS judged
          FROM caseload_day h LEFT JOIN two_visits_day r ON r.municipality_code = h.municipality_code AND r.day = h.day
            AND ($5::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest(r.teams) t WHERE coalesce(t, $6) = ANY ($5::text[])))
          WHERE h.municipality_code = $1 AND h.day = $2::date
          GROUP BY h.day`,
        facts: `WITH ${PARAMS},
          judged AS (
            SELECT DISTINCT ct.person_id FROM measure m ${caseTeamOf(ctx, 'm', false, { eachRow: true })}
            WHERE m.municipality_code = $1 AND ${PLACEMENT_FOR_TWO_VISITS('m')} AND ${IN_SCOPE('ct')}
          )
          SELECT count(*) FILTER (WHERE ${TWO_VISITS_IN_12_MONTHS('j.person_id')})::int AS met, count(*)::int AS judged FROM judged j`,
      },
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
      () => true,
    );
    return { numerator: r.met, denominator: r.judged };
  },
});

/**
 * supervision.talked_alone_share — supervision visits dated in P (known by D) where the caseworker
 * talked alone with the child. Every visit the export has counts, whatever its measure's family:
 * the catalogue, unlike two_visits_share's "on their placements", names none. The measure is read
 * for the team scope only.
 */
export const talkedAloneShare = fractionKpi({
  id: 'supervision.talked_alone_share',
  title: 'Tilsynsbesøg, hvor rådgiveren talte alene med barnet',
  unit: 'share',
  shape: 'fraction',
  higherIsBetter: true,
  roles: ['teamleder', 'chef', 'admin'],
  async fraction(ctx: KpiContext) {
    const [r] = await ctx.query<{ alone: number; visits: number }>(
      `WITH ${PARAMS}
       SELECT count(*) FILTER (WHERE ${TALKED_ALONE('v')})::int AS alone, count(*)::int AS visits
       FROM supervision_visit v
       JOIN measure m ON m.municipality_code = v.municipality_code AND m.source = v.source AND m.measure_id = v.measure_id
       ${caseTeamOf(ctx, 'm', false)}
       WHERE v.municipality_code = $1 AND v.visit_date BETWEEN $3::date AND $4::date
         AND v.visit_date <= $2::date AND ${IN_SCOPE('ct')}`,
      kpiParams(ctx, (ctx.settings ?? DEFAULT_SETTINGS).intake_team),
    );
    return { numerator: r.alone, denominator: r.visits };
  },
});
