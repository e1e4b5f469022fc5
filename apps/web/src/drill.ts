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

/**
 * The filters of every view, in the address beside the view (ADR 66), so a shared link opens the
 * same figures and a reload keeps them: #/chef?municipality=461&asOf=2024-02-29&from=2024-01-01&group=3.
 * Dates are ISO in the address (unambiguous whatever the reader's language); on screen dd.mm.åååå.
 * Left out: the default (the newest export, 1 January, all municipalities, the user's first municipality).
 */
export interface Filters {
  municipality?: number;
  asOf?: string;
  from?: string;
  /** A saved comparison group's id, or 'all' (all municipalities) chosen on purpose. */
  group?: number | 'all';
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function parseHash(hash: string): { view: string; drill: Drill; filters: Filters } {
  const [path, query = ''] = hash.replace(/^#\/?/, '').split('?');
  const q = new URLSearchParams(query);
  const drill: Drill = {};
  if (q.get('worker')) drill.worker = q.get('worker')!;
  else if (q.get('team')) drill.team = q.get('team')!;
  const filters: Filters = {};
  const municipality = q.get('municipality');
  if (municipality && /^\d+$/.test(municipality)) filters.municipality = Number(municipality);
  const asOf = q.get('asOf');
  if (asOf && ISO_DATE.test(asOf)) filters.asOf = asOf;
  const from = q.get('from');
  if (from && ISO_DATE.test(from)) filters.from = from;
  const group = q.get('group');
  if (group === 'all') filters.group = 'all';
  else if (group && /^\d+$/.test(group)) filters.group = Number(group);
  return { view: path, drill, filters };
}

/**
 * The address of a view with its drill-down and filters (only those given), and any parameters of
 * the view's own (e.g. the administration's import=<id>). Every link inside the app is built here,
 * so none drops the municipality (or date) the user has chosen.
 */
export function routeHref(view: string, drill: Drill = {}, filters: Filters = {}, own: Record<string, string> = {}): string {
  const q = new URLSearchParams();
  if (filters.municipality !== undefined) q.set('municipality', String(filters.municipality));
  if (filters.asOf) q.set('asOf', filters.asOf);
  if (filters.from) q.set('from', filters.from);
  if (filters.group !== undefined) q.set('group', String(filters.group));
  if (drill.worker) q.set('worker', drill.worker);
  else if (drill.team) q.set('team', drill.team);
  for (const [k, v] of Object.entries(own)) q.set(k, v);
  const s = q.toString();
  return `#/${view}${s ? `?${s}` : ''}`;
}

/** The filters in the browser's address now (none outside a browser). */
export const currentFilters = (): Filters => (typeof window === 'undefined' ? {} : parseHash(window.location.hash).filters);

/** Another view (or page of a view) with the filters now in the address: the chosen municipality stays. */
export function linkHref(view: string, own: Record<string, string> = {}, filters: Filters = currentFilters()): string {
  return routeHref(view, {}, filters, own);
}

/** The team leader view's work lists for a caseworker or team, with the filters now in the address. */
export function drillHref(drill: Drill, filters: Filters = currentFilters()): string {
  return routeHref(DRILL_VIEW, drill, filters);
}

export const isDrilled = (drill: Drill | undefined): drill is Drill => !!drill && (!!drill.worker || !!drill.team);

/** A work-list row belongs to the drill-down: its caseworker (or last caseworker) or its team. */
export function rowMatches(row: Record<string, unknown>, drill: Drill): boolean {
  if (drill.worker) return row.worker === drill.worker || (row.worker === undefined && row.lastWorker === drill.worker);
  if (drill.team) return row.team === drill.team;
  return true;
}
