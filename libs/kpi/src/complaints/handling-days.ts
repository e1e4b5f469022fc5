import { medianOverRows } from '../median';
import { defineKpi } from '../types';

// Complaints decided in P (and by D) with a received date on or before the decision (a decision
// before its receipt is a registration error); every outcome counts, afvist included.
const DECIDED_IN_P = `
  SELECT k.*, c.person_id FROM complaint k
  JOIN child_case c ON c.municipality_code = k.municipality_code AND c.source = k.source AND c.case_id = k.case_id
  WHERE k.municipality_code = $1 AND k.decided BETWEEN $3::date AND $4::date AND k.decided <= $2::date
    AND k.received IS NOT NULL AND k.received <= k.decided`;

/** complaints.handling_days (KPIS.md, second edition) — median days from received to decided over complaints decided in P. */
export const handlingDays = defineKpi({
  id: 'complaints.handling_days',
  title: 'Klagesagsbehandlingstid (median, dage)',
  unit: 'days',
  shape: 'number',
  higherIsBetter: false,
  roles: ['chef', 'admin'],
  ...medianOverRows(DECIDED_IN_P, 'decided - received'),
});
