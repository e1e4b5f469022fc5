import { defineKpi, fractionKpi } from '../types';
import { COUNT_IN, countKpi, NOTIFICATIONS_IN_P, params, perThousand } from './shared';

/** activity.notifications — notifications received in P. */
export const notifications = countKpi({
  id: 'activity.notifications',
  title: 'Underretninger',
  sql: `WITH ${NOTIFICATIONS_IN_P} SELECT count(*)::int AS n FROM note`,
  // Received on a Copenhagen day in P and by D: the days P's start .. the earlier of P's end and D.
  readModelSql: `SELECT ${COUNT_IN('notifications_to_date', '$3::date', 'least($4::date, $2::date)')} AS n`,
});

export const notificationsPer1000 = perThousand({
  id: 'activity.notifications_per_1000',
  title: 'Underretninger pr. 1.000 børn',
  base: notifications,
});

/** activity.children_notified — distinct children with a notification received in P. */
export const childrenNotified = countKpi({
  id: 'activity.children_notified',
  title: 'Børn med underretninger',
  sql: `WITH ${NOTIFICATIONS_IN_P} SELECT count(DISTINCT person_id)::int AS n FROM note`,
});

/** activity.repeat_notification_share — children with 2 or more notifications in P / children notified. */
export const repeatNotificationShare = fractionKpi({
  id: 'activity.repeat_notification_share',
  title: 'Andel børn med gentagne underretninger',
  unit: 'share',
  shape: 'fraction',
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

/** activity.notifications_by_source — notifications received in P by source. */
export const notificationsBySource = defineKpi({
  id: 'activity.notifications_by_source',
  title: 'Underretninger efter kilde',
  unit: 'count',
  shape: 'breakdown',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  async compute(ctx) {
    const rows = await ctx.query<{ channel: string; n: number }>(
      `WITH ${NOTIFICATIONS_IN_P} SELECT channel, count(*)::int AS n FROM note GROUP BY channel ORDER BY n DESC, channel`,
      params(ctx),
    );
    return Object.fromEntries(rows.map((r) => [r.channel, r.n]));
  },
});
