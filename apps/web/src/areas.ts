import type { Role } from '@bu/contracts';

// The areas beside the dashboards, and who may open them: what the navigation needs before an
// area's own code has loaded (each area is a chunk of its own, ADR 0080).

export const ADMIN_SECTIONS = [
  { id: 'brugere', title: 'Brugere', roles: ['admin'] },
  { id: 'log-ind', title: 'Log ind', roles: ['admin'] },
  { id: 'maal', title: 'Politiske mål', roles: ['admin', 'chef'] },
  { id: 'indstillinger', title: 'Indstillinger', roles: ['admin', 'chef'] },
  { id: 'afleveringsmapper', title: 'Afleveringsmapper', roles: ['admin'] },
  { id: 'indlaesninger', title: 'Indlæsninger', roles: ['admin', 'chef'] },
  { id: 'revisionslog', title: 'Revisionslog', roles: ['admin'] },
] as const;

export const mayAdminister = (role: string): boolean => ADMIN_SECTIONS.some((s) => (s.roles as readonly string[]).includes(role));

/** Case review (#/sagsgennemgang[/<round>[/<case>]]): team leader, chief; the committee its aggregates. */
export const REVIEW_ROLES: readonly Role[] = ['teamleder', 'chef', 'udvalg'];
export const REVIEW_VIEW = 'sagsgennemgang';

/** The committee's report archive (#/rapporter). */
export const REPORT_ROLES: readonly Role[] = ['udvalg', 'chef', 'admin'];
