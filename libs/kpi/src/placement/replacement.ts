import { addMonthsSql } from '../sql';
import { fractionKpi, type KpiContext } from '../types';

/**
 * placement.replacement_12m (KPIS.md, second edition) — children with a placement ending in the
 * window D − 24 months < end <= D − 12 months after which they had no placement active the next
 * day (a move from one placement to the next is no end): the share that had a new placement start
 * within 12 months after that end (end < start <= end + 12 months). Each child once, with their
 * latest such end in the window. The whole municipality, every case of the child.
 */
export const replacement12m = fractionKpi({
  id: 'placement.replacement_12m',
  title: 'Genanbragt inden for 12 måneder',
  unit: 'share',
  shape: 'fraction',
  higherIsBetter: false,
  roles: ['chef', 'admin'],
  async fraction(ctx: KpiContext) {
    const [r] = await ctx.query<{ replaced: number; judged: number }>(
      `WITH placed AS (
         SELECT c.person_id, m.started, m.ended FROM measure m
         JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
         WHERE m.municipality_code = $1 AND m.family = 'placement' AND m.started <= $2::date
       ),
       ends AS (
         SELECT p.person_id, max(p.ended) AS ended FROM placed p
         WHERE p.ended > ${addMonthsSql('$2::date', -24)} AND p.ended <= ${addMonthsSql('$2::date', -12)}
           AND NOT EXISTS (SELECT 1 FROM placed n WHERE n.person_id = p.person_id
                             AND n.started <= p.ended + 1 AND (n.ended IS NULL OR n.ended >= p.ended + 1))
         GROUP BY p.person_id
       ),
       -- The children placed again within 12 months, by a join on the child (hashed), not a look-up
       -- through every placement of the municipality for each child: that grew with the square.
       replaced AS (
         SELECT DISTINCT e.person_id FROM ends e JOIN placed n ON n.person_id = e.person_id
         WHERE n.started > e.ended AND n.started <= ${addMonthsSql('e.ended', 12)}
       )
       SELECT count(r.person_id)::int AS replaced, count(*)::int AS judged
       FROM ends e LEFT JOIN replaced r ON r.person_id = e.person_id`,
      [ctx.municipality, ctx.asOf],
    );
    return { numerator: r.replaced, denominator: r.judged };
  },
});
