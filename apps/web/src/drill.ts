// Drill-down from an aggregate to the rows behind it: the work lists of the team leader view
// filtered to one caseworker or one team. The filter lives in the address (#/teamleder?worker=EF,
// #/teamleder?team=Team%20Nord) so the back button and a bookmark keep it. The list KPIs return
// complete sorted rows, so the filter is applied here, in the browser.

export interface Drill {
  /** A caseworker id in the source (the per-caseworker keys of the caseload KPIs). */
  worker?: string;
  team?: string;
}

/** The view that shows the work lists a drill-down opens. */
export const DRILL_VIEW = 'teamleder';

export function parseHash(hash: string): { view: string; drill: Drill } {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const q = new URLSearchParams(query);
  const drill: Drill = {};
  if (q.get('worker')) drill.worker = q.get('worker')!;
  else if (q.get('team')) drill.team = q.get('team')!;
  return { view: path, drill };
}

export function drillHref(drill: Drill): string {
  const q = new URLSearchParams();
  if (drill.worker) q.set('worker', drill.worker);
  else if (drill.team) q.set('team', drill.team);
  const s = q.toString();
  return `#/${DRILL_VIEW}${s ? `?${s}` : ''}`;
}

export const isDrilled = (drill: Drill | undefined): drill is Drill => !!drill && (!!drill.worker || !!drill.team);

/** A work-list row belongs to the drill-down: its caseworker (or last caseworker) or its team. */
export function rowMatches(row: Record<string, unknown>, drill: Drill): boolean {
  if (drill.worker) return row.worker === drill.worker || (row.worker === undefined && row.lastWorker === drill.worker);
  if (drill.team) return row.team === drill.team;
  return true;
}
