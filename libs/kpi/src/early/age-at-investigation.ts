import { medianOverRows } from '../median';
import { defineKpi } from '../types';

// Investigations started in P (and by D) with the child's age at the start in years. The birth date
// is the one the ETL derived from the CPR number before hashing it (person.birth_date); a
// replacement CPR number has none, and such a child is left out. Each investigation counts once: a
// child with two investigations started in P counts at each start.
const AGES = `
  SELECT c.person_id, ((i.started - p.birth_date) / 365.25)::float AS age FROM investigation i
  JOIN child_case c ON c.municipality_code = i.municipality_code AND c.source = i.source AND c.case_id = i.case_id
  JOIN person p ON p.municipality_code = c.municipality_code AND p.source = c.source AND p.person_id = c.person_id
  WHERE i.municipality_code = $1 AND i.started BETWEEN $3::date AND $4::date AND i.started <= $2::date
    AND p.birth_date IS NOT NULL`;

/**
 * early.age_at_investigation_start (KPIS.md, second edition) — median age in years,
 * (start − birth date) / 365.25, of the children at the start of investigations started in P.
 */
export const ageAtInvestigationStart = defineKpi({
  id: 'early.age_at_investigation_start',
  title: 'Alder ved start af børnefaglig undersøgelse (median, år)',
  unit: 'ratio',
  shape: 'number',
  higherIsBetter: null,
  roles: ['chef', 'admin'],
  // The median, and the children it rests on: the committee sees a goal on it only from 5 children on.
  ...medianOverRows(AGES, 'age'),
});
