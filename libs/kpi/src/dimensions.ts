import type { Query } from './types';

export interface CaseworkerLabel {
  name: string;
  team: string | null;
  jobTitle: string | null;
  employedTo: string | null;
}

/**
 * Names and teams for caseworker ids, so charts label bars with people, not initials. With teams
 * (a team leader), only those teams' caseworkers: the others' names and employment are not theirs to see.
 */
export async function caseworkerLabels(query: Query, municipality: number, teams?: string[]): Promise<Record<string, CaseworkerLabel>> {
  const rows = await query<{ worker_id: string; name: string; team: string | null; job_title: string | null; employed_to: string | null }>(
    `SELECT worker_id, name, team, job_title, to_char(employed_to, 'YYYY-MM-DD') AS employed_to
     FROM caseworker WHERE municipality_code = $1 AND ($2::text[] IS NULL OR team = ANY ($2)) ORDER BY worker_id`,
    [municipality, teams ?? null],
  );
  return Object.fromEntries(
    rows.map((r) => [r.worker_id, { name: r.name, team: r.team, jobTitle: r.job_title, employedTo: r.employed_to }]),
  );
}
