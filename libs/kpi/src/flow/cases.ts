import { countKpi } from '../activity/shared';

// The flow of cases (KPIS.md, second edition): cases, not children, opened and closed in P, as
// known by D (a date after D is not known yet).

/** flow.cases_opened — cases opened in P. */
export const casesOpened = countKpi({
  id: 'flow.cases_opened',
  title: 'Sager oprettet',
  sql: `SELECT count(*)::int AS n FROM child_case WHERE municipality_code = $1 AND opened BETWEEN $3::date AND $4::date AND opened <= $2::date`,
});

/** flow.cases_closed — cases closed in P. */
export const casesClosed = countKpi({
  id: 'flow.cases_closed',
  title: 'Sager lukket',
  sql: `SELECT count(*)::int AS n FROM child_case WHERE municipality_code = $1 AND closed BETWEEN $3::date AND $4::date AND closed <= $2::date`,
});
