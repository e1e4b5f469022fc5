import { DECIDED_BY_START, PLAN_MEASURE } from '@bu/rules';
import { medianOverRows } from '../median';
import { defineKpi } from '../types';

// Measures started in P (and by D), economic benefits and "ukendt" left out, that have a decision
// date on or before their start: a decision after the start is a registration error, not a wait.
// Both rules are the named fragments the case review's formal items share (libs/rules).
const DECIDED_AND_STARTED = `
  SELECT m.*, c.person_id FROM measure m
  JOIN child_case c ON c.municipality_code = m.municipality_code AND c.source = m.source AND c.case_id = m.case_id
  WHERE m.municipality_code = $1 AND ${PLAN_MEASURE('m')}
    AND m.started BETWEEN $3::date AND $4::date AND m.started <= $2::date
    AND ${DECIDED_BY_START('m')}`;

/**
 * decision.days_to_start (KPIS.md, second edition) — median days from the decision (Bevilget,
 * FOR_BEV) to the start over the measures above (percentile_cont; null when there are none).
 */
export const daysToStart = defineKpi({
  id: 'decision.days_to_start',
  title: 'Dage fra bevilling til start (median)',
  unit: 'days',
  shape: 'number',
  higherIsBetter: false,
  roles: ['chef', 'admin'],
  ...medianOverRows(DECIDED_AND_STARTED, 'started - decided'),
});
