import { countKpi } from './shared';

/** activity.investigations_started — investigations (børnefaglige undersøgelser) started in P. */
export const investigationsStarted = countKpi({
  id: 'activity.investigations_started',
  title: 'Børnefaglige undersøgelser startet',
  sql: `SELECT count(*)::int AS n FROM investigation WHERE municipality_code = $1 AND started BETWEEN $3::date AND $4::date AND started <= $2::date`,
});

/** activity.investigations_completed — investigations completed in P. */
export const investigationsCompleted = countKpi({
  id: 'activity.investigations_completed',
  title: 'Børnefaglige undersøgelser afsluttet',
  sql: `SELECT count(*)::int AS n FROM investigation WHERE municipality_code = $1 AND completed BETWEEN $3::date AND $4::date AND completed <= $2::date`,
});
