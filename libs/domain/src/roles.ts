export const ROLES = ['udvalg', 'chef', 'teamleder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Case areas (Sagsområde) and the default caseload norms per full-time caseworker. */
export const CASE_AREAS = ['Udsatte', 'Handicap'] as const;
export type CaseArea = (typeof CASE_AREAS)[number];

/** Job titles (Stilling / ROLLE) in the case systems. */
export const JOB_TITLES = ['Rådgiver', 'Teamleder', 'Faglig koordinator', 'Chef'] as const;

/** Action plan types (Handleplan under Serviceloven, Barnets plan / Ungeplan under Barnets Lov). */
export const PLAN_TYPES = ['Handleplan', 'Barnets plan', 'Ungeplan'] as const;

/** Outcomes of a complaint decided by Ankestyrelsen, as stored (lower case). */
export const COMPLAINT_OUTCOMES = ['stadfæstet', 'ændret', 'ophævet', 'hjemvist', 'afvist'] as const;
